package org.headlab.ui;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.headlab.core.HeadLabException;
import org.headlab.core.jobs.JobExecutor;

/**
 * One ViewModel computation that runs on the job engine and whose answer only counts while it is the latest request
 * ("latest request wins": scrubbing the checkpoint ten times applies the tenth answer, never a late first), and that
 * waits while its view is hidden ("refresh when shown": a hidden panel is marked stale and recomputes when it comes
 * back, so scrubbing never waits for it). Every method but {@link #isLatest} is for the UI thread.
 */
public final class LatestRequest {
    private final String name;
    private final JobExecutor jobs;
    private final Consumer<Runnable> uiThread;
    private final AtomicLong generation = new AtomicLong();
    private Runnable refresh = () -> { };
    private boolean shown = true;
    private boolean stale;
    private boolean refreshing;
    private Runnable pendingRefresh;

    /** {@code name} is the job's name in the jobs panel; results are applied through {@code uiThread}. */
    public LatestRequest(String name, JobExecutor jobs, Consumer<Runnable> uiThread) {
        this.name = name;
        this.jobs = jobs;
        this.uiThread = uiThread;
    }

    /** What runs when the view is shown again after a refresh was skipped while it was hidden. */
    public LatestRequest onShownAgain(Runnable r) {
        this.refresh = r;
        return this;
    }

    /** A new request's ticket: every older ticket stops being the latest. */
    public long next() {
        return generation.incrementAndGet();
    }

    /** The latest ticket, for work that delivers several answers (each checked with {@link #isLatest}). */
    public long current() {
        return generation.get();
    }

    /** Whether no request was started since {@code ticket} (safe on any thread). */
    public boolean isLatest(long ticket) {
        return ticket == generation.get();
    }

    /** Drops every outstanding request, and a refresh waiting for one: their answers will not be applied. */
    public void invalidate() {
        generation.incrementAndGet();
        pendingRefresh = null;
    }

    /**
     * Starts a request: {@code work} runs on the job engine; {@code onResult} or {@code onFailure} runs on the UI
     * thread, only if no newer request was started (or {@link #invalidate} called) meanwhile.
     *
     * @return the request's ticket
     */
    public <T> long submit(Callable<T> work, Consumer<T> onResult, Consumer<Throwable> onFailure) {
        return submit(work, onResult, onFailure, overtaken -> { });
    }

    /**
     * As {@link #submit(Callable, Consumer, Consumer)}, for answers that hold resources (an opened run): an answer
     * that was overtaken is handed to {@code onOvertaken} on the UI thread, to be closed, instead of being dropped.
     */
    public <T> long submit(Callable<T> work, Consumer<T> onResult, Consumer<Throwable> onFailure,
            Consumer<T> onOvertaken) {
        long mine = next();
        jobs.submit(name, work).whenComplete((result, failure) -> uiThread.accept(() -> {
            if (!isLatest(mine)) {
                if (failure == null) {
                    onOvertaken.accept(result); // overtaken by a newer request
                }
                return;
            }
            if (failure != null) {
                onFailure.accept(failure);
            } else {
                onResult.accept(result);
            }
        }));
        return mine;
    }

    /**
     * A refresh that re-reads a source which keeps changing (a store a sweep writes to): at most one runs at a time;
     * calls while one runs are folded into one more run after it, with the arguments of the last call; calls while
     * the view is hidden are skipped and made up once when it is shown ({@link #mayRefresh}). Answers apply as in
     * {@link #submit}, so {@link #invalidate} (a new run opened) drops the one in flight.
     */
    public <T> void refresh(Callable<T> work, Consumer<T> onResult, Consumer<Throwable> onFailure) {
        if (!mayRefresh()) {
            return;
        }
        if (refreshing) {
            pendingRefresh = () -> refresh(work, onResult, onFailure);
            return;
        }
        refreshing = true;
        long mine = next();
        jobs.submit(name, work).whenComplete((result, failure) -> uiThread.accept(() -> {
            refreshing = false;
            if (isLatest(mine)) {
                if (failure != null) {
                    onFailure.accept(failure);
                } else {
                    onResult.accept(result);
                }
            }
            Runnable again = pendingRefresh;
            pendingRefresh = null;
            if (again != null) {
                again.run();
            }
        }));
    }

    /** Whether the view is on screen; shown again after a skipped refresh, it runs {@link #onShownAgain}'s. */
    public void setShown(boolean on) {
        shown = on;
        if (on && stale) {
            stale = false;
            refresh.run();
        }
    }

    public boolean isShown() {
        return shown;
    }

    /**
     * Whether a refresh may run now: true while the view is shown; false while it is hidden, remembering that one
     * was skipped.
     */
    public boolean mayRefresh() {
        if (!shown) {
            stale = true;
            return false;
        }
        stale = false;
        return true;
    }

    /** The words of a failure for the user: a HeadLab error's own message, else the exception and its message. */
    public static String messageOf(Throwable t) {
        Throwable c = t;
        while (c instanceof CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof HeadLabException || c.getMessage() == null) {
            return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }
}
