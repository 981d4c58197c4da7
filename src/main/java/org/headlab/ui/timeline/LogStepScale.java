package org.headlab.ui.timeline;

import java.util.List;

/**
 * Training steps on a log axis, as the paper plots them: stages happen early, so equal screen distances should mean
 * equal step ratios. Step 0 has no logarithm; it is placed where step 1 would be, one decade before the first
 * positive checkpoint at most, so the initialisation checkpoint stays visible and clickable.
 */
public final class LogStepScale {
    private final double logMin;
    private final double logMax;
    private final double left;
    private final double width;

    /** @param steps sorted checkpoint steps (may start with 0) */
    public LogStepScale(List<Integer> steps, double left, double width) {
        double firstPositive = steps.stream().filter(s -> s > 0).mapToInt(Integer::intValue).min().orElse(1);
        double last = steps.isEmpty() ? 10 : Math.max(steps.get(steps.size() - 1), firstPositive);
        boolean hasZero = !steps.isEmpty() && steps.get(0) == 0;
        this.logMin = hasZero ? Math.log10(firstPositive) - 1 : Math.log10(firstPositive);
        this.logMax = Math.max(Math.log10(last), logMin + 1e-9);
        this.left = left;
        this.width = width;
    }

    /** Screen x of a step. */
    public double x(int step) {
        double l = step <= 0 ? logMin : Math.log10(step);
        return left + (l - logMin) / (logMax - logMin) * width;
    }

    /** Index in {@code steps} of the checkpoint nearest to screen x. */
    public int nearestIndex(List<Integer> steps, double x) {
        int best = -1;
        double bestDistance = Double.MAX_VALUE;
        for (int i = 0; i < steps.size(); i++) {
            double d = Math.abs(x(steps.get(i)) - x);
            if (d < bestDistance) {
                bestDistance = d;
                best = i;
            }
        }
        return best;
    }

    /** Powers of ten inside the axis, for tick labels. */
    public int[] decades() {
        int lo = (int) Math.ceil(logMin);
        int hi = (int) Math.floor(logMax);
        int[] out = new int[Math.max(0, hi - lo + 1)];
        for (int i = 0; i < out.length; i++) {
            out[i] = lo + i;
        }
        return out;
    }
}
