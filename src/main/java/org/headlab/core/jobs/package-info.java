/** The worker pool: the only place in HeadLab that creates threads. */
package org.headlab.core.jobs;
