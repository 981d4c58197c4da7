package org.headlab.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import org.headlab.core.HeadLabException;

/**
 * The training steps at which weights are saved: dense early, sparse late, because stages form early.
 *
 * <p>With N steps and K checkpoints: step 0, then {@code K_log = (K-1)/2} log-spaced steps in [1, g), then
 * {@code K_lin = K-1-K_log} evenly spaced steps g, 2g, ..., N with g = N / K_lin. Log-spaced steps are
 * {@code round(g^(j/K_log))}, each bumped to one past its predecessor where rounding collides, so the schedule has
 * exactly K distinct steps whenever N+1 ≥ K (otherwise every step 0..N). Every early gap is smaller than the late
 * gap g. Example, N = 3000, K = 40: 0 1 2 3 4 5 6 8 9 11 14 17 21 25 30 37 45 54 66 80 150 300 ... 3000 (roughly).
 */
public final class CheckpointSchedule {
    private final List<Integer> steps;

    private CheckpointSchedule(List<Integer> steps) {
        this.steps = List.copyOf(steps);
    }

    public static CheckpointSchedule of(int totalSteps, int count) {
        if (totalSteps < 1) {
            throw new HeadLabException("training needs at least 1 step, got " + totalSteps);
        }
        if (count < 2) {
            throw new HeadLabException("a run needs at least 2 checkpoints (step 0 and the last), got " + count);
        }
        if (count >= totalSteps + 1) {
            List<Integer> all = new ArrayList<>();
            for (int s = 0; s <= totalSteps; s++) {
                all.add(s);
            }
            return new CheckpointSchedule(all);
        }
        int after = count - 1;
        int nLog = after / 2;
        int nLin = after - nLog;
        double gap = (double) totalSteps / nLin;
        TreeSet<Integer> out = new TreeSet<>();
        out.add(0);
        List<Integer> lin = new ArrayList<>();
        for (int i = 1; i <= nLin; i++) {
            lin.add(i == nLin ? totalSteps : (int) Math.round(gap * i));
        }
        int firstLin = lin.get(0);
        // the log part must fit strictly between 0 and the first linear step; shrink it if the run is too short
        nLog = Math.min(nLog, firstLin - 1);
        int prev = 0;
        for (int j = 0; j < nLog; j++) {
            int s = (int) Math.round(Math.pow(gap, (double) j / nLog));
            s = Math.max(s, prev + 1);
            // leave room for the remaining log steps below the first linear step
            s = Math.min(s, firstLin - (nLog - j));
            out.add(s);
            prev = s;
        }
        out.addAll(lin);
        // short runs can lose log steps to the room limit: fill the largest gaps until there are `count` steps
        List<Integer> list = new ArrayList<>(out);
        while (list.size() < count) {
            int best = 0;
            for (int i = 1; i < list.size() - 1; i++) {
                if (list.get(i + 1) - list.get(i) > list.get(best + 1) - list.get(best)) {
                    best = i;
                }
            }
            list.add(best + 1, (list.get(best) + list.get(best + 1)) / 2);
        }
        return new CheckpointSchedule(list);
    }

    /** The given steps (sorted, distinct, starting at 0), e.g. read back from a run. */
    public static CheckpointSchedule ofSteps(List<Integer> steps) {
        List<Integer> s = new ArrayList<>(new TreeSet<>(steps));
        if (s.isEmpty() || s.get(0) != 0) {
            throw new HeadLabException("a checkpoint schedule starts at step 0");
        }
        return new CheckpointSchedule(s);
    }

    /** This schedule plus the given steps (each within 1..last), e.g. dense steps across a known stage. */
    public CheckpointSchedule with(List<Integer> extra) {
        TreeSet<Integer> all = new TreeSet<>(steps);
        for (int s : extra) {
            if (s < 1 || s > last()) {
                throw new HeadLabException("extra checkpoint step " + s + " is outside 1.." + last());
            }
            all.add(s);
        }
        return new CheckpointSchedule(new ArrayList<>(all));
    }

    /** Ascending, distinct, first 0, last the total number of steps. */
    public List<Integer> steps() {
        return steps;
    }

    public int last() {
        return steps.get(steps.size() - 1);
    }

    public boolean contains(int step) {
        return Collections.binarySearch(steps, step) >= 0;
    }

    /** The latest scheduled step ≤ {@code step}. */
    public int atOrBefore(int step) {
        int i = Collections.binarySearch(steps, step);
        return i >= 0 ? steps.get(i) : steps.get(Math.max(0, -i - 2));
    }

    @Override
    public String toString() {
        return "CheckpointSchedule" + steps;
    }
}
