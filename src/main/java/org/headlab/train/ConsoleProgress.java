package org.headlab.train;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line terminal progress display: {@code step 1200/3000 [=====>    ] loss 0.8123  41.2 steps/s  ETA 0:44},
 * redrawn in place with a carriage return at most every 200 ms, and a line per checkpoint when {@code verbose}.
 */
public final class ConsoleProgress implements Trainer.Listener {
    private static final int BAR = 24;
    private final PrintWriter out;
    private final boolean verbose;
    private long startNanos = System.nanoTime();
    private int startStep;
    private long lastDraw;
    private double smoothed = Double.NaN;

    public ConsoleProgress(PrintWriter out, boolean verbose) {
        this.out = out;
        this.verbose = verbose;
    }

    @Override
    public void onResume(int fromStep) {
        startStep = fromStep;
        startNanos = System.nanoTime();
        out.printf("resuming from the checkpoint at step %d%n", fromStep);
    }

    @Override
    public void onStep(int step, int totalSteps, double loss) {
        smoothed = Double.isNaN(smoothed) ? loss : 0.95 * smoothed + 0.05 * loss;
        long now = System.nanoTime();
        if (now - lastDraw < 200_000_000L && step < totalSteps) {
            return;
        }
        lastDraw = now;
        out.print("\r" + line(step, totalSteps, smoothed, step - startStep, (now - startNanos) / 1e9));
        if (step == totalSteps) {
            out.println();
        }
        out.flush();
    }

    @Override
    public void onCheckpoint(Trainer.CheckpointMetrics m) {
        if (verbose) {
            out.printf(Locale.ROOT, "\rcheckpoint step %d: train loss %.4f, held-out loss %.4f%s%n", m.step(),
                    m.trainLoss(), m.heldoutLoss(), " ".repeat(30));
        }
    }

    /** The progress line for the given state; public for tests. */
    public static String line(int step, int total, double loss, int stepsDone, double seconds) {
        double rate = seconds > 0 ? stepsDone / seconds : 0;
        int filled = (int) Math.round((double) BAR * step / total);
        String bar = "=".repeat(filled) + (filled < BAR ? ">" + " ".repeat(BAR - filled - 1) : "");
        String eta = rate > 0 ? clock((total - step) / rate) : "?";
        return String.format(Locale.ROOT, "step %d/%d [%s] loss %.4f  %.1f steps/s  ETA %s ", step, total, bar, loss,
                rate, eta);
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }
}
