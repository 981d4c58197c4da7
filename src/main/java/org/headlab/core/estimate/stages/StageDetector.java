package org.headlab.core.estimate.stages;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Developmental stages of a curve over training (estimators.md §1.3: Hoogland et al. found stages at the critical
 * points of the full-model LLC curve, the places where its slope over training vanishes). The curve is read over
 * log-step, x = ln(1 + step); it is split into straight pieces by exact segmented least squares (Bellman's dynamic
 * programme, one penalty per piece scaled by the curve's own noise), each piece is called rising, falling or flat
 * by its slope, and neighbouring pieces of one kind are merged. A stage boundary is therefore where the curve stops rising or
 * falling: a peak, a valley, or the edge of a plateau. Why this and not a smoothed derivative is in
 * {@code docs/decisions/0005-stage-detection.md}.
 *
 * <p>Plain arrays in, a list of {@code [startStep, endStep, kind]} out: no run, no store, no JavaFX, so the
 * figures and the workbench draw the same bands.
 */
public final class StageDetector {

    /** The trend of the curve within a stage. */
    public enum Kind {
        /** The value grows (for an LLC: Hoogland et al.'s type A stage). */
        RISING("rising", "↑"),
        /** The value shrinks (type B). */
        FALLING("falling", "↓"),
        /** The value changes by less than the flat threshold. */
        FLAT("flat", "–");

        private final String word;
        private final String symbol;

        Kind(String word, String symbol) {
            this.word = word;
            this.symbol = symbol;
        }

        /** "rising", "falling", "flat". */
        public String word() {
            return word;
        }

        /** "↑", "↓", "–". */
        public String symbol() {
            return symbol;
        }
    }

    /** One stage, from {@code startStep} to {@code endStep} (training steps; boundaries may fall between checkpoints). */
    public record Stage(double startStep, double endStep, Kind kind) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "[%s, %s] %s", fmt(startStep), fmt(endStep), kind.word());
        }

        private static String fmt(double v) {
            return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
        }
    }

    /**
     * The detector's knobs.
     *
     * @param penalty a new piece must lower the squared error by {@code penalty · ln(n) · σ̂²}, σ̂ the curve's noise
     *     estimated from the points themselves (a BIC-like rule: 3 = one slope, one intercept, one break)
     * @param flatFraction a piece is flat when its slope (per unit of ln step) is below this fraction of the curve's
     *     range per its whole log-step span, or within two standard errors of zero: the derivative "vanishes" there
     * @param minPoints the fewest points in a piece (2 or more; lowered when the curve has too few points)
     */
    public record Settings(double penalty, double flatFraction, int minPoints) {
        public Settings {
            if (!(penalty > 0) || !(flatFraction >= 0 && flatFraction < 1) || minPoints < 2) {
                throw new IllegalArgumentException("stage settings need penalty > 0, 0 <= flatFraction < 1 and"
                        + " minPoints >= 2, got " + penalty + ", " + flatFraction + ", " + minPoints);
            }
        }

        public static Settings defaults() {
            return new Settings(3.0, 0.25, 3);
        }
    }

    private StageDetector() {
    }

    /** {@link #detect(double[], double[], Settings)} with {@link Settings#defaults()}. */
    public static List<Stage> detect(double[] steps, double[] values) {
        return detect(steps, values, Settings.defaults());
    }

    /**
     * The stages of the curve ({@code steps[i]}, {@code values[i]}). Steps must be finite, at least 0 and strictly
     * increasing; a NaN value is skipped (a checkpoint without a result). No usable point: no stage; one point or a
     * curve that never changes: one flat stage.
     *
     * @throws IllegalArgumentException for arrays of different lengths, unordered or negative steps, or an infinite
     *     value, with the offending index in the message
     */
    public static List<Stage> detect(double[] steps, double[] values, Settings settings) {
        if (steps.length != values.length) {
            throw new IllegalArgumentException("stages: " + steps.length + " steps but " + values.length + " values");
        }
        for (int i = 0; i < steps.length; i++) {
            if (!Double.isFinite(steps[i]) || steps[i] < 0) {
                throw new IllegalArgumentException("stages: step " + steps[i] + " at index " + i
                        + " is not a finite step >= 0");
            }
            if (i > 0 && steps[i] <= steps[i - 1]) {
                throw new IllegalArgumentException("stages: steps must increase, but index " + i + " has "
                        + steps[i] + " after " + steps[i - 1]);
            }
            if (Double.isInfinite(values[i])) {
                throw new IllegalArgumentException("stages: value at index " + i + " (step " + steps[i]
                        + ") is infinite");
            }
        }
        int n = 0;
        double[] x = new double[steps.length];
        double[] y = new double[steps.length];
        double[] s = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            if (!Double.isNaN(values[i])) {
                s[n] = steps[i];
                x[n] = Math.log1p(steps[i]);
                y[n] = values[i];
                n++;
            }
        }
        if (n == 0) {
            return List.of();
        }
        x = Arrays.copyOf(x, n);
        y = Arrays.copyOf(y, n);
        s = Arrays.copyOf(s, n);
        double lo = Arrays.stream(y).min().orElseThrow();
        double hi = Arrays.stream(y).max().orElseThrow();
        double range = hi - lo;
        if (n < 2 || range <= 1e-12 * Math.max(1, Math.abs(hi))) {
            return List.of(new Stage(s[0], s[n - 1], Kind.FLAT));
        }
        double noise = noise(x, y);
        double span = x[n - 1] - x[0];
        int minPoints = Math.max(2, Math.min(settings.minPoints(), n / 2));
        // a penalty floor keeps a noise-free curve from being cut at every kink of rounding error
        double sigma2 = Math.max(noise * noise, 1e-6 * range * range);
        double penalty = settings.penalty() * Math.log(Math.max(n, 3)) * sigma2;
        int[] starts = segment(x, y, minPoints, penalty);

        // classify each piece, then merge neighbours of one kind
        List<int[]> pieces = new ArrayList<>(); // {from, to (inclusive), kind}
        for (int k = 0; k < starts.length; k++) {
            int from = starts[k];
            int to = k + 1 < starts.length ? starts[k + 1] - 1 : n - 1;
            double slope = fit(x, y, from, to)[1];
            double flat = Math.max(settings.flatFraction() * range / span, 2 * noise / Math.sqrt(sxx(x, from, to)));
            Kind kind = Math.abs(slope) <= flat ? Kind.FLAT : slope > 0 ? Kind.RISING : Kind.FALLING;
            pieces.add(new int[] {from, to, kind.ordinal()});
        }
        List<int[]> merged = new ArrayList<>();
        for (int[] p : pieces) {
            int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && last[2] == p[2]) {
                last[1] = p[1];
            } else {
                merged.add(p.clone());
            }
        }
        List<Stage> out = new ArrayList<>();
        double start = s[0];
        for (int k = 0; k < merged.size(); k++) {
            int[] p = merged.get(k);
            double end;
            if (k + 1 < merged.size()) {
                int[] q = merged.get(k + 1);
                end = Math.expm1(boundary(x, y, p[0], p[1], q[0], q[1]));
            } else {
                end = s[n - 1];
            }
            out.add(new Stage(start, end, Kind.values()[p[2]]));
            start = end;
        }
        return List.copyOf(out);
    }

    /**
     * The x of the break between two pieces that meet between points {@code a1} and {@code b0}: where their fitted
     * lines cross if that lies between the two points, else half-way between them (in log-step).
     */
    private static double boundary(double[] x, double[] y, int a0, int a1, int b0, int b1) {
        double[] la = fit(x, y, a0, a1);
        double[] lb = fit(x, y, b0, b1);
        double left = x[a1];
        double right = x[b0];
        if (la[1] != lb[1]) {
            double cross = (lb[0] - la[0]) / (la[1] - lb[1]);
            if (cross >= left && cross <= right) {
                return cross;
            }
        }
        return (left + right) / 2;
    }

    /** {intercept, slope} of the least-squares line through points from..to (inclusive). */
    static double[] fit(double[] x, double[] y, int from, int to) {
        int m = to - from + 1;
        double mx = 0;
        double my = 0;
        for (int i = from; i <= to; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= m;
        my /= m;
        double sxx = 0;
        double sxy = 0;
        for (int i = from; i <= to; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
        }
        double slope = sxx > 0 ? sxy / sxx : 0;
        return new double[] {my - slope * mx, slope};
    }

    /** Σ (x − mean x)² over points from..to (inclusive); 0 when they share one x. */
    static double sxx(double[] x, int from, int to) {
        double mx = 0;
        for (int i = from; i <= to; i++) {
            mx += x[i];
        }
        mx /= to - from + 1;
        double v = 0;
        for (int i = from; i <= to; i++) {
            v += (x[i] - mx) * (x[i] - mx);
        }
        return Math.max(v, 1e-300);
    }

    /** Squared error of the least-squares line through points from..to (inclusive). */
    static double cost(double[] x, double[] y, int from, int to) {
        double[] line = fit(x, y, from, to);
        double c = 0;
        for (int i = from; i <= to; i++) {
            double r = y[i] - (line[0] + line[1] * x[i]);
            c += r * r;
        }
        return c;
    }

    /**
     * Exact segmented least squares: the first index of every piece of the split that minimises squared error plus
     * {@code penalty} per piece, every piece holding at least {@code minPoints} points. O(n³) with n ≤ a few hundred
     * checkpoints.
     */
    static int[] segment(double[] x, double[] y, int minPoints, double penalty) {
        int n = x.length;
        if (n < 2 * minPoints) {
            return new int[] {0};
        }
        double[] best = new double[n + 1]; // best[j]: points 0..j-1 split optimally
        int[] from = new int[n + 1];
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        best[0] = 0;
        for (int j = minPoints; j <= n; j++) {
            for (int i = 0; i + minPoints <= j; i++) {
                if (best[i] == Double.POSITIVE_INFINITY) {
                    continue;
                }
                double c = best[i] + cost(x, y, i, j - 1) + penalty;
                if (c < best[j]) {
                    best[j] = c;
                    from[j] = i;
                }
            }
        }
        List<Integer> starts = new ArrayList<>();
        for (int j = n; j > 0; j = from[j]) {
            starts.add(0, from[j]);
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The curve's noise level: the robust spread (1.4826 · median absolute value) of each interior point's distance
     * from the straight line through its two neighbours, scaled by that distance's standard deviation for unit
     * noise. A smooth trend leaves almost nothing here; noise does.
     */
    static double noise(double[] x, double[] y) {
        int n = x.length;
        if (n < 3) {
            return 0;
        }
        double[] r = new double[n - 2];
        for (int i = 1; i < n - 1; i++) {
            double w = (x[i] - x[i - 1]) / (x[i + 1] - x[i - 1]);
            double interp = (1 - w) * y[i - 1] + w * y[i + 1];
            double sd = Math.sqrt(1 + (1 - w) * (1 - w) + w * w);
            r[i - 1] = Math.abs(y[i] - interp) / sd;
        }
        Arrays.sort(r);
        double median = r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
        return 1.4826 * median;
    }
}
