package org.headlab.ui.jobs;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.headlab.core.jobs.JobSnapshot;
import org.headlab.core.jobs.JobState;
import org.headlab.core.jobs.WorkerPool;
import org.headlab.core.sweep.Sweep;
import org.headlab.core.sweep.SweepListener;
import org.headlab.core.sweep.SweepProgress;
import org.headlab.core.sweep.TaskOutcome;

/**
 * The jobs panel's state: the sweeps started from this window (progress, ETA, cancel) and the pool's queued and
 * running jobs (progress, elapsed, ETA). Pool listeners and sweep listeners are called on worker threads; every
 * change is marshalled through {@code uiThread} before it touches the lists.
 */
public final class JobsViewModel {
    /** One sweep: what it runs, how far it is, the first failure's reason (null: none). */
    public record SweepRow(long id, String title, SweepProgress progress, String failure) {
        public boolean finished() {
            return progress != null && progress.finished();
        }

        /** "12 of 27 · 3 skipped · 1 failed · ETA 0:14" */
        public String summary() {
            if (progress == null) {
                return "planning…";
            }
            StringBuilder b = new StringBuilder();
            b.append(progress.done()).append(" of ").append(progress.total());
            if (progress.skipped() > 0) {
                b.append(" · ").append(progress.skipped()).append(" already stored");
            }
            if (progress.failed() > 0) {
                b.append(" · ").append(progress.failed()).append(" failed");
            }
            if (progress.cancelled() > 0) {
                b.append(" · ").append(progress.cancelled()).append(" cancelled");
            }
            if (progress.finished()) {
                b.append(" · done in ").append(clock(progress.elapsed()));
            } else if (progress.eta() != null) {
                b.append(" · ETA ").append(clock(progress.eta()));
            }
            return b.toString();
        }
    }

    private final WorkerPool pool;
    private final Consumer<Runnable> uiThread;
    private final ObservableList<SweepRow> sweeps = FXCollections.observableArrayList();
    private final ObservableList<JobSnapshot> jobs = FXCollections.observableArrayList();
    private final Map<Long, Sweep> running = new HashMap<>();
    private final java.util.Set<Long> cancelledWhilePlanning = new java.util.HashSet<>();
    private final AtomicLong ids = new AtomicLong();

    public JobsViewModel(WorkerPool pool, Consumer<Runnable> uiThread) {
        this.pool = pool;
        this.uiThread = uiThread;
        pool.addListener(s -> uiThread.accept(() -> jobChanged(s)));
    }

    /** The sweeps of this window, newest first; finished ones stay until {@link #clearFinished()}. */
    public ObservableList<SweepRow> sweeps() {
        return sweeps;
    }

    /** The pool's queued and running jobs (finished ones leave the list). */
    public ObservableList<JobSnapshot> jobs() {
        return jobs;
    }

    public WorkerPool pool() {
        return pool;
    }

    private void jobChanged(JobSnapshot s) {
        int at = indexOf(s.id());
        if (s.state().isDone()) {
            if (at >= 0) {
                jobs.remove(at);
            }
        } else if (at >= 0) {
            jobs.set(at, s);
        } else {
            jobs.add(s);
        }
    }

    private int indexOf(long id) {
        for (int i = 0; i < jobs.size(); i++) {
            if (jobs.get(i).id() == id) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Registers a sweep about to start (on the UI thread): returns the listener to give {@code Sweep.start}, which
     * updates the row and then calls {@code onTask} (on the UI thread) for each finished task.
     */
    public Tracker track(String title) {
        long id = ids.incrementAndGet();
        sweeps.add(0, new SweepRow(id, title, null, null));
        return new Tracker(id);
    }

    /** The link between one sweep and its row. */
    public final class Tracker implements SweepListener {
        private final long id;
        private volatile Consumer<TaskOutcome> onTask = o -> { };

        private Tracker(long id) {
            this.id = id;
        }

        public long id() {
            return id;
        }

        public Tracker onTask(Consumer<TaskOutcome> action) {
            this.onTask = action;
            return this;
        }

        /** The started sweep, so that the row can cancel it (UI thread). */
        public void started(Sweep sweep) {
            if (!row(id).map(SweepRow::finished).orElse(true)) {
                running.put(id, sweep);
                update(id, r -> r); // the row can now be cancelled
            } else if (cancelledWhilePlanning.remove(id)) {
                sweep.cancel(); // cancelAll() ended its row while it was still being planned
                pool.runPendingIfCallerRuns();
            }
        }

        /** Planning or starting failed (UI thread). */
        public void failed(String message) {
            update(id, r -> new SweepRow(id, r.title(), new SweepProgress(0, 0, 0, 0, 0, Duration.ZERO,
                    Duration.ZERO), message));
        }

        @Override
        public void progress(SweepProgress p) {
            uiThread.accept(() -> {
                update(id, r -> new SweepRow(id, r.title(), p, r.failure()));
                if (p.finished()) {
                    running.remove(id);
                }
            });
        }

        @Override
        public void taskDone(TaskOutcome o) {
            uiThread.accept(() -> {
                if (o.status() == TaskOutcome.Status.FAILED) {
                    update(id, r -> r.failure() != null ? r
                            : new SweepRow(id, r.title(), r.progress(), o.task().describe() + ": " + o.message()));
                }
                onTask.accept(o);
            });
        }
    }

    private java.util.Optional<SweepRow> row(long id) {
        return sweeps.stream().filter(r -> r.id() == id).findFirst();
    }

    private void update(long id, java.util.function.UnaryOperator<SweepRow> change) {
        for (int i = 0; i < sweeps.size(); i++) {
            if (sweeps.get(i).id() == id) {
                sweeps.set(i, change.apply(sweeps.get(i)));
                return;
            }
        }
    }

    /** Cancels a sweep: queued tasks never start, running ones stop at their next checkpoint; results stay. */
    public void cancel(long sweepId) {
        Sweep s = running.get(sweepId);
        if (s != null) {
            s.cancel();
            pool.runPendingIfCallerRuns();
        }
    }

    /** The sweeps not finished yet (planning or running), newest first. */
    public java.util.List<SweepRow> unfinished() {
        return sweeps.stream().filter(r -> !r.finished()).toList();
    }

    /**
     * Cancels every unfinished sweep: running ones stop at their next checkpoint (stored results stay), one still
     * being planned is cancelled as soon as it starts.
     */
    public void cancelAll() {
        for (SweepRow r : unfinished()) {
            if (running.containsKey(r.id())) {
                cancel(r.id());
            } else {
                cancelledWhilePlanning.add(r.id());
                update(r.id(), x -> new SweepRow(x.id(), x.title(), new SweepProgress(0, 0, 0, 0, 0, Duration.ZERO,
                        Duration.ZERO), "cancelled before it started"));
            }
        }
    }

    public boolean isRunning(long sweepId) {
        return running.containsKey(sweepId);
    }

    public void clearFinished() {
        sweeps.removeIf(SweepRow::finished);
    }

    /** "running 1.2 s · ETA 0:03" for a job (ETA from its own progress report, when it makes one). */
    public static String describe(JobSnapshot s) {
        if (s.state() == JobState.QUEUED) {
            return "queued (" + s.priority().name().toLowerCase(Locale.ROOT) + ")";
        }
        String text = String.format(Locale.ROOT, "running %.1f s", s.elapsed().toMillis() / 1000.0);
        if (s.progress() > 0 && s.progress() < 1) {
            long left = (long) (s.elapsed().toMillis() * (1 - s.progress()) / s.progress());
            text += " · ETA " + clock(Duration.ofMillis(left));
        }
        if (s.message() != null && !s.message().isBlank()) {
            text += " · " + s.message();
        }
        return text;
    }

    /** m:ss (h:mm:ss past an hour). */
    public static String clock(Duration d) {
        long s = Math.max(0, (d.toMillis() + 500) / 1000);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
