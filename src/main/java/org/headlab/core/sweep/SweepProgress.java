package org.headlab.core.sweep;

import java.time.Duration;

/**
 * A sweep at one moment. {@code eta} is null until the first task has been computed; it extrapolates the
 * wall-clock rate of computed tasks so far (skipped tasks cost nothing and are not counted in the rate).
 */
public record SweepProgress(int total, int computed, int skipped, int failed, int cancelled, Duration elapsed,
        Duration eta) {

    public int done() {
        return computed + skipped + failed + cancelled;
    }

    public boolean finished() {
        return done() == total;
    }

    public double fraction() {
        return total == 0 ? 1 : (double) done() / total;
    }
}
