package org.headlab.core.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.headlab.Main;
import org.headlab.core.estimate.Head;
import org.headlab.testing.FixtureRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several writers of one labels.json at once never lose an edit (issue 19: two `labels --set` at once lost one's
 * labels 5 times in 5): threads of one process, separate processes running the CLI, and the window's three-way
 * merge with what another writer saved.
 */
class ConcurrentLabelWritersTest {
    @TempDir
    Path tmp;

    static final LabelProvenance WHO = new LabelProvenance("test", "2026-12-06T00:00:00Z", null, null);

    @Test
    void threadsUpdatingAtOnceKeepEveryEdit() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "threads");
        int n = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            for (int i = 0; i < n; i++) {
                int layer = i / 4;
                int head = i % 4;
                done.add(pool.submit(() -> {
                    start.await();
                    return LabelStore.update(run, s -> s.with(new HeadLabel(layer, head, "other", null, null,
                            "writer " + layer + ":" + head, WHO)));
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(n, LabelStore.read(run).labels().size(), LabelStore.read(run).toString());
    }

    @Test
    void processesRunningTheCliAtOnceKeepEveryEdit() throws Exception {
        Path run = FixtureRuns.brackets(tmp, "processes");
        List<Process> ps = new ArrayList<>();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int i = 0; i < 4; i++) {
            ps.add(new ProcessBuilder(java, "-Dheadlab.relaunch=false", "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "labels", run.toString(), "--set", "1:" + i + "=induction")
                    .redirectErrorStream(true).start());
        }
        for (Process p : ps) {
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), out);
        }
        LabelSet labels = LabelStore.read(run);
        assertEquals(4, labels.labels().size(), labels.toString());
    }

    @Test
    void aThreeWayMergeKeepsTheOtherWritersEditsAndMine() {
        HeadLabel a = new HeadLabel(0, 0, "previous-token", null, null, "", WHO);
        HeadLabel b = new HeadLabel(0, 1, "current-token", null, null, "", WHO);
        HeadLabel c = new HeadLabel(1, 2, "induction", null, null, "", WHO);
        HeadLabel cChanged = new HeadLabel(1, 2, "other", null, null, "not induction after all", WHO);
        LabelSet base = LabelSet.empty().with(a).with(c);
        LabelSet mine = base.without(a).with(b);              // I removed 0:0 and added 0:1
        LabelSet theirs = base.with(cChanged.withNote("theirs")); // they relabelled 1:2 meanwhile
        LabelSet merged = LabelStore.merge(base, mine, theirs);
        assertTrue(merged.labels().contains(b), merged.toString());
        assertTrue(merged.forHead(new Head(0, 0)).isEmpty(), "my removal holds: " + merged);
        assertEquals("other", merged.forHead(new Head(1, 2)).get(0).classId(),
                "their edit to a head I did not touch holds");
    }
}
