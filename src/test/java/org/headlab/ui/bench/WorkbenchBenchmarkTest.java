package org.headlab.ui.bench;

import org.headlab.testing.Benchmark;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.headlab.core.data.TokenStructure;
import org.headlab.ui.attention.AttentionMapView;
import org.headlab.ui.workbench.WorkbenchView;
import org.headlab.ui.workbench.WorkbenchViewModel;
import org.headlab.testing.WorkbenchWindow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The workbench's interactive costs, measured (not asserted) on the shipped Dyck run, for docs/benchmarks.md:
 * scrubbing to a checkpoint until every view has redrawn (p50/p95 over all checkpoints, several passes), and
 * drawing a 1024×1024 attention map. Opt-in: {@code -Dheadlab.bench=true}.
 */
@ExtendWith(ApplicationExtension.class)
@Benchmark
class WorkbenchBenchmarkTest {
    WorkbenchViewModel vm;
    WorkbenchView view;
    WorkbenchWindow window;

    @Start
    void start(Stage stage) {
        window = WorkbenchWindow.show(stage, 1, 1280, 800);
        vm = window.vm();
        view = window.view();
    }

    @AfterEach
    void stop() {
        window.close();
    }

    @Test
    void scrubThroughTheDyckRun() throws Exception {
        scrub(Path.of("sample-runs/dyck"), "([)b{()a[)b)c)a({)c)a", 6);
    }

    /** The case: the lm run (56 checkpoints, 1 MB of weights each) on its own sample input. */
    @Test
    void scrubThroughTheLmRun() throws Exception {
        scrub(Path.of("sample-runs/lm"), null, 2);
    }

    private void scrub(Path run, String input, int passes) throws Exception {
        Platform.runLater(() -> vm.openRun(run));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.attentionProperty().get() != null);
        if (input != null) {
            Platform.runLater(() -> vm.selection().inputProperty().set(input));
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS,
                    () -> vm.attentionProperty().get().text().startsWith(input.substring(0, 5)));
        }
        String text = vm.attentionProperty().get().text();
        int tokens = vm.attentionProperty().get().tokens().size();
        int n = vm.steps().size();
        // passes alternate between the live-model cache (the default) and none (a model built per map, as before),
        // in one JVM, so both see the same machine load; a first pass fills the cache and is not counted
        var session = vm.sessionProperty().get();
        List<Double> cached = new ArrayList<>();
        List<Double> uncached = new ArrayList<>();
        List<Double> updated = new ArrayList<>();
        List<Double> gcDuring = new ArrayList<>();
        // the moment the new map lands and every view listening to it has redrawn, on the FX thread (this listener
        // is added last, so it runs after the views' own): the latency without TestFX's polling and pulse waits
        long[] landed = new long[1];
        vm.attentionProperty().addListener((o, a, b) -> landed[0] = System.nanoTime());
        for (int pass = -1; pass < passes; pass++) {
            boolean live = pass % 2 == 0 || pass < 0;
            session.useLiveModels(live);
            List<Double> ms = pass < 0 ? new ArrayList<>() : live ? cached : uncached;
            for (int i = 0; i < n; i++) {
                int index = (i + 1) % n;
                int step = vm.steps().get(index);
                long gc0 = gcMillis();
                long t0 = System.nanoTime();
                Platform.runLater(() -> vm.selectStepIndex(index));
                WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.attentionProperty().get().step() == step);
                long t1 = landed[0];
                long gc1 = gcMillis();
                waitForPulse();
                ms.add((System.nanoTime() - t0) / 1e6);
                if (live && pass >= 0) {
                    updated.add((t1 - t0) / 1e6);
                    gcDuring.add((double) (gc1 - gc0));
                }
            }
        }
        // where the time goes: the forward pass alone (what the worker does for a scrub), on this thread, warm
        session.useLiveModels(true);
        List<Double> forward = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            for (int step : vm.steps()) {
                long t0 = System.nanoTime();
                session.attention(step, text);
                forward.add((System.nanoTime() - t0) / 1e6);
            }
        }
        String name = run.getFileName() + " (" + tokens + " tokens)";
        report(name + " scrub", cached);
        report(name + " scrub without live-model cache", uncached);
        report(name + " scrub → every view updated on the FX thread (no harness waits)", updated);
        report(name + " forward pass alone (the worker's part of a scrub, live models)", forward);
        // the tail: how many of the slowest 5 % of scrubs had a garbage collection inside them, and how long
        double[] u = updated.stream().mapToDouble(Double::doubleValue).toArray();
        double cut = pct(sortedCopy(u), 0.95);
        int tail = 0;
        int tailWithGc = 0;
        double tailGc = 0;
        double allGc = 0;
        for (int i = 0; i < u.length; i++) {
            allGc += gcDuring.get(i);
            if (u[i] >= cut) {
                tail++;
                if (gcDuring.get(i) > 0) {
                    tailWithGc++;
                    tailGc += gcDuring.get(i);
                }
            }
        }
        System.out.printf(Locale.ROOT, "BENCH %s tail: %d scrubs ≥ p95 (%.1f ms), %d of them with a GC inside"
                + " (%.1f ms of GC in all); GC in all %d scrubs: %.1f ms%n", name, tail, cut, tailWithGc, tailGc,
                u.length, allGc);
        assertTrue(cached.size() == (passes / 2) * n);
    }

    private static double[] sortedCopy(double[] a) {
        double[] c = a.clone();
        Arrays.sort(c);
        return c;
    }

    /** Milliseconds spent in garbage collection by this JVM so far (every collector). */
    private static long gcMillis() {
        long sum = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    /** p50/p95/max of scrub times. */
    private static void report(String what, List<Double> ms) {
        double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "BENCH %s: %d scrubs, p50 %.1f ms, p95 %.1f ms, max %.1f ms%n", what,
                sorted.length, pct(sorted, 0.5), pct(sorted, 0.95), sorted[sorted.length - 1]);
    }

    @Test
    void drawA1024TokenMap() throws Exception {
        int n = 1024;
        float[][] pattern = new float[n][n];
        SplittableRandom rng = new SplittableRandom(1);
        for (int q = 0; q < n; q++) {
            double sum = 0;
            for (int k = 0; k <= q; k++) {
                pattern[q][k] = (float) rng.nextDouble();
                sum += pattern[q][k];
            }
            for (int k = 0; k <= q; k++) {
                pattern[q][k] /= (float) sum;
            }
        }
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tokens.add(i % 2 == 0 ? "(" : ")");
        }
        TokenStructure structure = TokenStructure.of(tokens);
        AttentionMapView map = view.attentionMap();
        double[] ms = new double[10];
        double[] showOnly = new double[10];
        for (int r = 0; r < ms.length; r++) {
            long t0 = System.nanoTime();
            double[] inFx = new double[1];
            WaitForAsyncUtils.asyncFx(() -> {
                long s0 = System.nanoTime();
                map.show(pattern, tokens, structure);
                inFx[0] = (System.nanoTime() - s0) / 1e6;
            }).get();
            waitForPulse();
            ms[r] = (System.nanoTime() - t0) / 1e6;
            showOnly[r] = inFx[0];
        }
        Arrays.sort(ms);
        Arrays.sort(showOnly);
        // the drawing work itself, without pulse cadence: show() and a snapshot that renders the canvas at once
        double[] rendered = new double[10];
        for (int r = 0; r < rendered.length; r++) {
            double[] t = new double[1];
            WaitForAsyncUtils.asyncFx(() -> {
                long s0 = System.nanoTime();
                map.show(pattern, tokens, structure);
                map.canvas().snapshot(null, null);
                t[0] = (System.nanoTime() - s0) / 1e6;
            }).get();
            rendered[r] = t[0];
        }
        Arrays.sort(rendered);
        System.out.printf(Locale.ROOT, "BENCH 1024x1024 map: show() + rendering the canvas (snapshot) p50 %.1f ms, max"
                + " %.1f ms%n", pct(rendered, 0.5), rendered[rendered.length - 1]);
        System.out.printf(Locale.ROOT, "BENCH 1024x1024 map: show() on the FX thread p50 %.1f ms (the rest is the"
                + " pulse that renders it)%n", pct(showOnly, 0.5));
        System.out.printf(Locale.ROOT, "BENCH 1024x1024 map: show+draw p50 %.1f ms, max %.1f ms (10 draws)%n",
                pct(ms, 0.5), ms[ms.length - 1]);
        double[] bare = new double[10];
        for (int r = 0; r < bare.length; r++) {
            long t0 = System.nanoTime();
            WaitForAsyncUtils.asyncFx(() -> map.show(pattern, tokens, null)).get();
            waitForPulse();
            bare[r] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(bare);
        System.out.printf(Locale.ROOT, "BENCH 1024x1024 map: without the structure drawn p50 %.1f ms%n",
                pct(bare, 0.5));
        // where it goes: the raster alone (colours and pixels), on the FX thread as show() does it
        double[] raster = new double[10];
        for (int r = 0; r < raster.length; r++) {
            long t0 = System.nanoTime();
            WaitForAsyncUtils.asyncFx(() -> org.headlab.ui.attention.HeatmapRaster.image(pattern)).get();
            raster[r] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(raster);
        System.out.printf(Locale.ROOT, "BENCH 1024x1024 map: full-resolution raster alone p50 %.1f ms%n",
                pct(raster, 0.5));
        assertTrue(ms[0] > 0);
    }

    /** Waits until the FX thread has run a pulse after everything queued so far (layout and rendering). */
    private static void waitForPulse() throws InterruptedException {
        CountDownLatch latch = new CountDownLatch(1);
        Platform.runLater(() -> Platform.runLater(latch::countDown));
        latch.await(30, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * (sorted.length - 1) + 0.5))];
    }
}
