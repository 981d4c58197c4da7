package org.headlab.core.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a head's ablation costs the model, sorted into the kinds of memorised prediction the paper's Appendix B
 * names (Wang et al. 2024, multigram heads; estimators.md §4.2). An <em>event</em> is a predicted token the model
 * knows (clean loss at most {@link Settings#knownLoss}) and loses when the head is ablated (the loss rises by at least
 * {@link Settings#neededIncrease}). Each event is classified by what in its context determines the target, the first
 * that applies:
 * <ul>
 *   <li>{@code DYCK}: the target closes the innermost bracket left open in the context ((), [], {}) — first, since in
 *       a bracket language almost every bigram has occurred before and would pass as induction;</li>
 *   <li>{@code INDUCTION}: the current token occurred earlier and was followed by the target there;</li>
 *   <li>{@code NGRAM}: the last n tokens (n = 1 … {@link Settings#maxN}, the shortest that qualifies) occur at least
 *       {@link Settings#minCount} times in the slice and are followed by the target at least
 *       {@link Settings#minShare} of the time;</li>
 *   <li>{@code SKIP_NGRAM}: a token 2 … {@link Settings#skipWindow} positions before the target, with which the target
 *       co-occurs at least {@code minCount} times and {@link Settings#minLift} times more often than its own
 *       frequency (the pair with the largest lift);</li>
 *   <li>{@code OTHER}: none of these.</li>
 * </ul>
 * A head's <em>memorised multigrams</em> are the distinct n-grams and skip n-grams (context, target) among its events:
 * the x-axis of the paper's scatter against the final rLLC. The thresholds are our choice (the paper's are not
 * published) and are parameters.
 */
public final class MemorisedMultigrams {

    public enum Kind { INDUCTION, DYCK, NGRAM, SKIP_NGRAM, OTHER }

    /**
     * @param knownLoss clean loss at or below which the model counts as knowing the target (ln 2: p ≥ 1/2)
     * @param neededIncrease loss increase under ablation at or above which the head counts as needed (ln 2: the
     *     probability at least halves)
     */
    public record Settings(double knownLoss, double neededIncrease, int maxN, int minCount, double minShare,
            int skipWindow, double minLift) {
        public static final Settings DEFAULT = new Settings(Math.log(2), Math.log(2), 3, 3, 0.5, 16, 5);

        public Settings {
            if (maxN < 1 || minCount < 1 || skipWindow < 2 || !(minShare > 0 && minShare <= 1) || !(minLift > 0)) {
                throw new IllegalArgumentException("multigram settings out of range: " + maxN + ", " + minCount
                        + ", " + minShare + ", " + skipWindow + ", " + minLift);
            }
        }
    }

    /**
     * One memorised pattern: for an n-gram the last n context tokens, for a skip n-gram the one earlier token (at
     * {@code distance} before the target), for induction/Dyck/other the current token; then the target.
     */
    public record Multigram(Kind kind, List<Integer> context, int distance, int target) {
    }

    /** One event: window, predicting position (the target is token position + 1), its class, the losses. */
    public record Event(int window, int position, Multigram multigram, double cleanLoss, double increase) {
    }

    /** A head's events by kind, its distinct memorised multigrams, and its events by increase, largest first. */
    public record HeadCount(Map<Kind, Integer> events, int multigrams, List<Event> top) {
        public int total() {
            return events.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    private final int[][] windows;
    private final List<String> vocabulary;
    private final Settings settings;
    /** n → context key → target → count. */
    private final List<Map<List<Integer>, Map<Integer, Integer>>> ngrams = new ArrayList<>();
    /** (earlier token, target) → positions where the target has that token 2 … W before it. */
    private final Map<Long, Integer> skipPairs = new HashMap<>();
    /** token → positions whose skip window holds it. */
    private final Map<Integer, Integer> inWindow = new HashMap<>();
    private final Map<Integer, Integer> targetCounts = new HashMap<>();
    private int positions;

    /**
     * @param windows the slice's token windows (equal lengths)
     * @param vocabulary token id → its string (for the bracket test)
     */
    public MemorisedMultigrams(int[][] windows, List<String> vocabulary, Settings settings) {
        this.windows = windows;
        this.vocabulary = vocabulary;
        this.settings = settings;
        for (int n = 0; n <= settings.maxN(); n++) {
            ngrams.add(new HashMap<>());
        }
        for (int[] w : windows) {
            for (int p = 1; p < w.length; p++) { // p: the target's position
                positions++;
                targetCounts.merge(w[p], 1, Integer::sum);
                for (int n = 1; n <= settings.maxN() && p - n >= 0; n++) {
                    ngrams.get(n).computeIfAbsent(context(w, p - 1, n), k -> new HashMap<>()).merge(w[p], 1,
                            Integer::sum);
                }
                Set<Integer> seen = new HashSet<>();
                for (int j = Math.max(0, p - settings.skipWindow()); j <= p - 2; j++) {
                    if (seen.add(w[j])) {
                        skipPairs.merge(pair(w[j], w[p]), 1, Integer::sum);
                        inWindow.merge(w[j], 1, Integer::sum);
                    }
                }
            }
        }
    }

    private static List<Integer> context(int[] w, int last, int n) {
        List<Integer> c = new ArrayList<>(n);
        for (int i = last - n + 1; i <= last; i++) {
            c.add(w[i]);
        }
        return List.copyOf(c);
    }

    private static long pair(int a, int b) {
        return ((long) a << 32) | (b & 0xffffffffL);
    }

    /** What determines the target of window {@code s} predicted at position {@code i} (target at i + 1). */
    public Multigram classify(int s, int i) {
        int[] w = windows[s];
        int target = w[i + 1];
        if (closesInnermost(w, i, target)) {
            return new Multigram(Kind.DYCK, List.of(w[i]), 0, target);
        }
        for (int j = 0; j < i; j++) {
            if (w[j] == w[i] && w[j + 1] == target) {
                return new Multigram(Kind.INDUCTION, List.of(w[i]), i - j, target);
            }
        }
        for (int n = 1; n <= settings.maxN() && i - n + 1 >= 0; n++) {
            List<Integer> c = context(w, i, n);
            Map<Integer, Integer> next = ngrams.get(n).get(c);
            int total = next == null ? 0 : next.values().stream().mapToInt(Integer::intValue).sum();
            int hits = next == null ? 0 : next.getOrDefault(target, 0);
            if (total >= settings.minCount() && hits >= settings.minShare() * total) {
                return new Multigram(Kind.NGRAM, c, 1, target);
            }
        }
        double baseRate = targetCounts.getOrDefault(target, 0) / (double) positions;
        int best = -1;
        int bestDistance = 0;
        double bestLift = settings.minLift();
        for (int j = Math.max(0, i + 1 - settings.skipWindow()); j <= i - 1; j++) {
            int together = skipPairs.getOrDefault(pair(w[j], target), 0);
            int with = inWindow.getOrDefault(w[j], 0);
            if (together < settings.minCount() || with == 0 || baseRate == 0) {
                continue;
            }
            double lift = together / (double) with / baseRate;
            if (lift >= bestLift) {
                bestLift = lift;
                best = w[j];
                bestDistance = i + 1 - j;
            }
        }
        if (best >= 0) {
            return new Multigram(Kind.SKIP_NGRAM, List.of(best), bestDistance, target);
        }
        return new Multigram(Kind.OTHER, List.of(w[i]), 0, target);
    }

    /** Whether {@code target} closes the bracket left open innermost in tokens 0 … i. */
    private boolean closesInnermost(int[] w, int i, int target) {
        String t = vocabulary.get(target).strip();
        if (t.isEmpty() || ")]}".indexOf(t.charAt(0)) < 0) {
            return false;
        }
        StringBuilder open = new StringBuilder();
        for (int j = 0; j <= i; j++) {
            for (char ch : vocabulary.get(w[j]).toCharArray()) {
                if ("([{".indexOf(ch) >= 0) {
                    open.append(ch);
                } else if (")]}".indexOf(ch) >= 0 && open.length() > 0
                        && open.charAt(open.length() - 1) == "([{".charAt(")]}".indexOf(ch))) {
                    open.setLength(open.length() - 1);
                }
            }
        }
        return open.length() > 0 && open.charAt(open.length() - 1) == "([{".charAt(")]}".indexOf(t.charAt(0)));
    }

    /**
     * One head's events.
     *
     * @param cleanLosses [window][position] the model's per-token loss
     * @param increase [window][position] the loss increase with the head ablated
     * @param keep how many of the largest events to keep as examples
     */
    public HeadCount count(float[][] cleanLosses, float[][] increase, int keep) {
        Map<Kind, Integer> byKind = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            byKind.put(k, 0);
        }
        Set<Multigram> memorised = new HashSet<>();
        List<Event> events = new ArrayList<>();
        for (int s = 0; s < windows.length; s++) {
            for (int i = 0; i < cleanLosses[s].length; i++) {
                if (cleanLosses[s][i] > settings.knownLoss() || increase[s][i] < settings.neededIncrease()) {
                    continue;
                }
                Multigram m = classify(s, i);
                byKind.merge(m.kind(), 1, Integer::sum);
                if (m.kind() == Kind.NGRAM || m.kind() == Kind.SKIP_NGRAM) {
                    memorised.add(m);
                }
                events.add(new Event(s, i, m, cleanLosses[s][i], increase[s][i]));
            }
        }
        events.sort(Comparator.comparingDouble(Event::increase).reversed());
        return new HeadCount(byKind, memorised.size(), List.copyOf(events.subList(0, Math.min(keep,
                events.size()))));
    }

    /** A multigram in words: "' the' ' cat' → ' sat'", "'(' …3… → ')'". */
    public String describe(Multigram m) {
        StringBuilder b = new StringBuilder();
        for (int t : m.context()) {
            b.append('\'').append(vocabulary.get(t)).append("' ");
        }
        if (m.kind() == Kind.SKIP_NGRAM) {
            b.append("…").append(m.distance()).append("… ");
        }
        return b.append("→ '").append(vocabulary.get(m.target())).append('\'').toString();
    }
}
