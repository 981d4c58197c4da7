package org.headlab.core.estimate.llc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;

/**
 * The devinterp sampling loop (estimators.md §2.3–2.5, §2.6b) over any {@link SgldTarget}: init loss over the
 * first k batches in dataset order; C chains with one independent random stream each (split from the seed) for
 * batch order and noise; at every iteration the minibatch loss at the pre-step weights is recorded, then the SGLD
 * step of {@link SgldUpdate} is applied. Chains run in lockstep so that a target can batch them. A chain whose
 * loss is NaN/Inf stops there and is excluded, with a warning. {@code cancelled} is polled before every step.
 */
public final class SgldSampler {
    /** Batches per chain announced ahead to {@link SgldTarget#upcoming} (the head path's input chunks). */
    static final int LOOKAHEAD = 4;

    private SgldSampler() {
    }

    /** Progress callback: iteration i of n done. */
    @FunctionalInterface
    public interface Progress {
        void done(int iteration, int iterations);

        Progress NONE = (i, n) -> { };
    }

    /**
     * Takes, at every draw after burn-in, each active chain's sampling loss and the per-token losses of a fixed
     * probe at the same (pre-step) weights ({@link SgldTarget#probeLosses}): what susceptibilities and the BIF are
     * computed from (ADR 0011).
     */
    public interface ProbeRecorder {
        /** The probe, the same at every draw (see {@link SgldTarget#probeLosses}). */
        int[][] probe();

        /** Called once before the first draw with the init loss (the loss at w*). */
        void start(double initLoss);

        /** One draw of chain {@code chain}: its minibatch loss and the probe's per-token losses. */
        void record(int chain, double samplingLoss, double[] tokenLosses);
    }

    public static LlcResult sample(SgldTarget target, SgldConfig cfg, BooleanSupplier cancelled) {
        return sample(target, cfg, cancelled, Progress.NONE);
    }

    public static LlcResult sample(SgldTarget target, SgldConfig cfg, BooleanSupplier cancelled,
            Progress progress) {
        return sample(target, cfg, cancelled, progress, null);
    }

    /**
     * L(w*): the mean loss of the first {@code initBatches} batches in data order, or with 0 of every sample (batches
     * in order, the last one shorter, each weighted by its size), which is the exact loss the draws are compared with.
     */
    static double initLoss(SgldTarget target, SgldConfig cfg, int n, BooleanSupplier cancelled) {
        if (cfg.initBatches() == 0) {
            return wholeLoss(n, cfg.batchSize(), target::centreLoss, cancelled);
        }
        double initLoss = 0;
        for (int k = 0; k < cfg.initBatches(); k++) {
            checkCancel(cancelled);
            initLoss += target.centreLoss(BatchCycle.inOrder(n, cfg.batchSize(), k));
        }
        return initLoss / cfg.initBatches();
    }

    /**
     * The mean loss of all {@code n} samples from {@code batchMeanLoss} (the mean loss of the rows given): batches of
     * {@code batchSize} in order, the last one shorter, each weighted by its size. The init loss of
     * {@code init_batches = 0}, and what a rebase of a stored estimate onto it must compute the same way.
     */
    public static double wholeLoss(int n, int batchSize, java.util.function.ToDoubleFunction<int[]> batchMeanLoss,
            BooleanSupplier cancelled) {
        double sum = 0;
        for (int from = 0; from < n; from += batchSize) {
            checkCancel(cancelled);
            int[] rows = java.util.stream.IntStream.range(from, Math.min(n, from + batchSize)).toArray();
            sum += batchMeanLoss.applyAsDouble(rows) * rows.length;
        }
        return sum / n;
    }

    /** As {@link #sample(SgldTarget, SgldConfig, BooleanSupplier, Progress)}, feeding {@code probe} (may be null). */
    public static LlcResult sample(SgldTarget target, SgldConfig cfg, BooleanSupplier cancelled,
            Progress progress, ProbeRecorder probe) {
        int chains = cfg.chains();
        if (target.chains() != chains) {
            throw new IllegalArgumentException("target holds " + target.chains() + " chains, config asks " + chains);
        }
        int n = target.size();
        if (n < 1) {
            throw new org.headlab.core.HeadLabException("the data set for the LLC holds no usable samples");
        }
        long t0 = SgldProfile.start();
        double initLoss = initLoss(target, cfg, n, cancelled);
        SgldProfile.add("init loss", t0);
        if (probe != null) {
            probe.start(initLoss);
        }

        SplittableRandom root = new SplittableRandom(cfg.seed());
        RandomGenerator[] rngs = new RandomGenerator[chains];
        BatchCycle[] cycles = new BatchCycle[chains];
        for (int c = 0; c < chains; c++) {
            rngs[c] = root.split();
            cycles[c] = new BatchCycle(n, cfg.batchSize(), rngs[c]);
        }
        SgldUpdate update = new SgldUpdate(cfg);
        int draws = cfg.draws();
        int burnin = cfg.burnin();
        double[][] loss = filled(chains, draws);
        double[][] mala = cfg.mala() && update.hasMala() ? filled(chains, Math.max(0, draws - 1)) : null;
        double[] prevU = new double[chains];
        double[] prevFwd = new double[chains];
        Arrays.fill(prevU, Double.NaN);
        boolean[] active = new boolean[chains];
        Arrays.fill(active, true);
        List<LlcResult.Divergence> diverged = new ArrayList<>();
        int iterations = cfg.iterations();
        for (int i = 0; i < iterations; i++) {
            checkCancel(cancelled);
            int[][] rows = new int[chains][];
            for (int c = 0; c < chains; c++) {
                rows[c] = active[c] ? cycles[c].next() : null;
            }
            int[][] next = new int[chains][];
            for (int c = 0; c < chains; c++) {
                next[c] = active[c] ? cycles[c].peek(LOOKAHEAD * cfg.batchSize()) : new int[0];
            }
            target.upcoming(next);
            double[] l = target.lossesAndGradients(rows, active);
            for (int c = 0; c < chains; c++) {
                if (active[c] && !Double.isFinite(l[c])) {
                    active[c] = false;
                    diverged.add(new LlcResult.Divergence(c, i, i - burnin));
                } else if (active[c] && i >= burnin) {
                    loss[c][i - burnin] = l[c];
                }
            }
            if (noneActive(active)) {
                break;
            }
            if (probe != null && i >= burnin) {
                double[][] tokenLosses = target.probeLosses(probe.probe(), active);
                for (int c = 0; c < chains; c++) {
                    if (active[c]) {
                        probe.record(c, l[c], tokenLosses[c]);
                    }
                }
            }
            boolean wantMala = mala != null && i >= burnin;
            SgldUpdate.StepTerms[] terms = target.step(update, rngs, active, wantMala);
            if (wantMala) {
                for (int c = 0; c < chains; c++) {
                    if (!active[c]) {
                        continue;
                    }
                    double u = cfg.nbeta() * l[c] + cfg.gamma() / 2 * terms[c].locSq();
                    int d = i - burnin;
                    if (d >= 1 && Double.isFinite(prevU[c])) {
                        // α(a→b) = min(1, exp(U(a) − U(b) + log q(a|b) − log q(b|a))), log q(x'|x) = −‖…‖²/(2ε)
                        double logA = prevU[c] - u - terms[c].revSqPrev() / (2 * cfg.epsilon())
                                + prevFwd[c] / (2 * cfg.epsilon());
                        mala[c][d - 1] = Double.isNaN(logA) ? Double.NaN : Math.min(1.0, Math.exp(logA));
                    }
                    prevU[c] = u;
                    prevFwd[c] = terms[c].fwdSq();
                }
            }
            progress.done(i + 1, iterations);
        }
        return summarize(cfg, initLoss, loss, mala, active, diverged, target.describe());
    }

    /** Builds the result from a loss matrix (package-visible for tests of the estimate itself). */
    public static LlcResult summarize(SgldConfig cfg, double initLoss, double[][] loss, double[][] mala,
            boolean[] included,
            List<LlcResult.Divergence> diverged, Map<String, Object> target) {
        int chains = loss.length;
        int draws = chains == 0 ? 0 : loss[0].length;
        double nb = cfg.nbeta();
        double[] perChain = new double[chains];
        List<Double> lam = new ArrayList<>();
        for (int c = 0; c < chains; c++) {
            if (included[c]) {
                perChain[c] = nb * (mean(loss[c]) - initLoss);
                lam.add(perChain[c]);
            } else {
                perChain[c] = Double.NaN;
            }
        }
        LlcTraces.Derived derived = LlcTraces.of(loss, included, initLoss, nb);
        double[][] trace = derived.trace();
        double[] means = derived.means();
        double[] stds = derived.stds();
        // loss health over included chains
        List<Double> draw0 = new ArrayList<>();
        for (int c = 0; c < chains; c++) {
            if (included[c] && draws > 0) {
                draw0.add(loss[c][0]);
            }
        }
        double noise = std(draw0);
        long total = 0;
        long negative = 0;
        long negativeBeyond = 0;
        double zSum = 0;
        for (int c = 0; c < chains; c++) {
            if (!included[c]) {
                continue;
            }
            for (int d = 0; d < draws; d++) {
                total++;
                negative += loss[c][d] < initLoss ? 1 : 0;
                negativeBeyond += Double.isFinite(noise) && loss[c][d] < initLoss - noise ? 1 : 0;
                zSum += (loss[c][d] - initLoss) / noise;
            }
        }
        LlcResult.LossHealth health = new LlcResult.LossHealth(total == 0 ? Double.NaN : (double) negative / total,
                noise, total == 0 || !Double.isFinite(noise) ? Double.NaN : (double) negativeBeyond / total,
                total == 0 || !(noise > 0) ? Double.NaN : zSum / total);
        double malaMean = Double.NaN;
        double malaStd = Double.NaN;
        if (mala != null) {
            List<Double> acc = new ArrayList<>();
            for (int c = 0; c < chains; c++) {
                if (included[c]) {
                    for (double a : mala[c]) {
                        if (!Double.isNaN(a)) {
                            acc.add(a);
                        }
                    }
                }
            }
            malaMean = mean(acc);
            malaStd = std(acc);
        }
        List<String> warnings = new ArrayList<>();
        for (LlcResult.Divergence dv : diverged) {
            warnings.add("chain " + dv.chain() + " diverged (loss NaN/Inf) at draw " + dv.draw() + " (iteration "
                    + dv.iteration() + ") and is excluded; try a smaller epsilon or a larger gamma");
        }
        if (lam.isEmpty()) {
            warnings.add("every chain diverged: no estimate");
        }
        double llcMean = mean(lam);
        if (llcMean < 0) {
            warnings.add("negative LLC estimate: w* is not a local minimum for these settings (or the init loss is"
                    + " noisy); try a larger gamma, more init batches or a smaller epsilon");
        }
        if (mala != null && malaMean < 0.5) {
            warnings.add(String.format("MALA acceptance %.2f is low (devinterp aims for ~0.9): epsilon is likely"
                    + " too large", malaMean));
        }
        Map<String, Object> params = new LinkedHashMap<>(cfg.toMap());
        params.put("target", target);
        Convergence convergence = Convergence.of(loss, included);
        if (!lam.isEmpty() && !convergence.converged()) {
            warnings.add("not converged: " + convergence.reason() + "; try more draws or a burn-in");
        }
        return new LlcResult(llcMean, std(lam), perChain, trace, means, stds, loss, initLoss, mala, malaMean, malaStd,
                health, convergence, List.copyOf(diverged), List.copyOf(warnings), params);
    }

    private static void checkCancel(BooleanSupplier cancelled) {
        if (cancelled != null && cancelled.getAsBoolean()) {
            throw new CancellationException("LLC estimation cancelled");
        }
    }

    private static boolean noneActive(boolean[] a) {
        for (boolean b : a) {
            if (b) {
                return false;
            }
        }
        return true;
    }

    private static double[][] filled(int rows, int cols) {
        double[][] a = new double[rows][cols];
        for (double[] r : a) {
            Arrays.fill(r, Double.NaN);
        }
        return a;
    }

    static double mean(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return a.length == 0 ? Double.NaN : s / a.length;
    }

    static double mean(List<Double> a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return a.isEmpty() ? Double.NaN : s / a.size();
    }

    /** Unbiased (N−1) standard deviation; NaN for fewer than 2 values. */
    static double std(List<Double> a) {
        if (a.size() < 2) {
            return Double.NaN;
        }
        double m = mean(a);
        double s = 0;
        for (double v : a) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / (a.size() - 1));
    }
}
