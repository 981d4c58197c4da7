package org.headlab.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.headlab.core.HeadLabException;
import org.headlab.core.jobs.JobExecutor;
import org.headlab.testing.HeldJobs;
import org.junit.jupiter.api.Test;

/** Latest request wins and refresh when shown, with jobs that finish in the order the test chooses. */
class LatestRequestTest {

    @Test
    void aLateAnswerToAnOlderRequestIsDropped() {
        HeldJobs jobs = new HeldJobs();
        LatestRequest r = new LatestRequest("t", jobs, Runnable::run);
        List<String> applied = new ArrayList<>();
        r.submit(() -> "first", applied::add, f -> applied.add("failed"));
        r.submit(() -> "second", applied::add, f -> applied.add("failed"));
        jobs.finish(1);
        jobs.finish(0); // arrives last, but was overtaken
        assertEquals(List.of("second"), applied);
        Callable<String> failing = () -> {
            throw new HeadLabException("bad input");
        };
        long t = r.submit(failing, applied::add, f -> applied.add(LatestRequest.messageOf(f)));
        assertTrue(r.isLatest(t));
        jobs.finish(2);
        assertEquals(List.of("second", "bad input"), applied);
        r.submit(() -> "third", applied::add, f -> applied.add("failed"));
        r.invalidate();
        jobs.finish(3);
        assertEquals(2, applied.size(), "an invalidated request applies nothing");
    }

    @Test
    void anOvertakenAnswerThatHoldsAResourceIsHandedBackToBeClosed() {
        HeldJobs jobs = new HeldJobs();
        LatestRequest r = new LatestRequest("t", jobs, Runnable::run);
        List<String> applied = new ArrayList<>();
        List<String> closed = new ArrayList<>();
        r.submit(() -> "run A", applied::add, f -> applied.add("failed"), closed::add);
        r.submit(() -> "run B", applied::add, f -> applied.add("failed"), closed::add);
        jobs.finish(1);
        jobs.finish(0);
        assertEquals(List.of("run B"), applied);
        assertEquals(List.of("run A"), closed, "the run opened first and overtaken is closed, not leaked");
    }

    @Test
    void refreshesWhileOneRunsAreFoldedIntoOneMoreWithTheLastArguments() {
        HeldJobs jobs = new HeldJobs();
        LatestRequest r = new LatestRequest("t", jobs, Runnable::run);
        List<String> applied = new ArrayList<>();
        r.refresh(() -> "read 1", applied::add, f -> applied.add("failed"));
        r.refresh(() -> "read 2", applied::add, f -> applied.add("failed"));
        r.refresh(() -> "read 3", applied::add, f -> applied.add("failed"));
        assertEquals(1, jobs.work.size(), "one read at a time");
        jobs.finish(0);
        assertEquals(2, jobs.work.size(), "the two calls meanwhile became one more read");
        jobs.finish(1);
        assertEquals(List.of("read 1", "read 3"), applied);
        r.setShown(false);
        r.refresh(() -> "hidden", applied::add, f -> applied.add("failed"));
        assertEquals(2, jobs.work.size(), "nothing read while hidden");
        r.setShown(true);
        // a new run while a read is in flight and another waits: the read in flight is dropped, the waiting one too,
        // and the next refresh (the new run's) is the only answer applied
        r.refresh(() -> "old run, in flight", applied::add, f -> applied.add("failed"));
        r.refresh(() -> "old run, waiting", applied::add, f -> applied.add("failed"));
        r.invalidate();
        r.refresh(() -> "new run", applied::add, f -> applied.add("failed"));
        jobs.finish(2);
        assertEquals(4, jobs.work.size(), "the new run's read starts once the one in flight is done");
        jobs.finish(3);
        assertEquals(List.of("read 1", "read 3", "new run"), applied);
    }

    @Test
    void aHiddenViewSkipsRefreshesAndCatchesUpOnceWhenShown() {
        int[] refreshes = {0};
        LatestRequest r = new LatestRequest("t", JobExecutor.sameThread(), Runnable::run);
        r.onShownAgain(() -> refreshes[0]++);
        assertTrue(r.mayRefresh());
        r.setShown(false);
        assertFalse(r.mayRefresh());
        assertFalse(r.mayRefresh());
        r.setShown(true);
        assertEquals(1, refreshes[0], "one catch-up refresh for all the skipped ones");
        r.setShown(false);
        r.setShown(true);
        assertEquals(1, refreshes[0], "nothing was skipped this time");
    }

    @Test
    void failuresReadAsWords() {
        assertEquals("no such head", LatestRequest.messageOf(new java.util.concurrent.CompletionException(
                new HeadLabException("no such head"))));
        assertEquals("IllegalStateException: broken", LatestRequest.messageOf(new IllegalStateException("broken")));
        assertEquals("NullPointerException", LatestRequest.messageOf(new NullPointerException()));
    }
}
