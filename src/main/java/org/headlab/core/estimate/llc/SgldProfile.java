package org.headlab.core.estimate.llc;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Split timers for the SGLD hot path, off unless {@code -Dheadlab.sgld.profile=true} (then {@code bench sgld}
 * prints them per path). Wall-clock sections, not a sampling profile: on 2 shared cores a JFR profile shows only
 * "native" for the engine calls, while these splits say which engine calls (inputs, forward+backward, update) the
 * time goes to. Off, each call costs one static boolean read.
 */
public final class SgldProfile {
    static final boolean ON = Boolean.getBoolean("headlab.sgld.profile");
    private static final Map<String, long[]> SECTIONS = new LinkedHashMap<>();

    private SgldProfile() {
    }

    public static boolean enabled() {
        return ON;
    }

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();
    private static final ThreadLocal<long[]> CPU_START = ThreadLocal.withInitial(() -> new long[1]);

    static long start() {
        if (!ON) {
            return 0L;
        }
        CPU_START.get()[0] = THREADS.getCurrentThreadCpuTime();
        return System.nanoTime();
    }

    /** Adds the time since {@code t0} (from {@link #start()}) to {@code section}; returns the new start. */
    static long add(String section, long t0) {
        if (!ON) {
            return 0L;
        }
        long now = System.nanoTime();
        long cpu = THREADS.getCurrentThreadCpuTime();
        long[] c0 = CPU_START.get();
        synchronized (SECTIONS) {
            long[] s = SECTIONS.computeIfAbsent(section, k -> new long[3]);
            s[0] += now - t0;
            s[1]++;
            s[2] += cpu - c0[0];
        }
        c0[0] = cpu;
        return now;
    }

    /** One line per section: total seconds, calls, ms per call; then clears the timers. */
    public static String reportAndReset() {
        StringBuilder b = new StringBuilder();
        synchronized (SECTIONS) {
            SECTIONS.forEach((k, s) -> b.append(String.format(Locale.ROOT,
                    "    %-28s %8.3f s %7d calls %8.3f ms/call wall %8.3f ms/call CPU of this thread%n",
                    k, s[0] / 1e9, s[1], s[0] / 1e6 / s[1], s[2] / 1e6 / s[1])));
            SECTIONS.clear();
        }
        return b.toString();
    }
}
