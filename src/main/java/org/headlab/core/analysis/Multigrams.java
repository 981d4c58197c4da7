package org.headlab.core.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which token pairs a head attends along (the paper's Appendix B, multigram heads): at every query position the key
 * the head puts most weight on, counted over a slice as (key token → query token) pairs with their distance, against
 * a frequency baseline — the count expected if the head picked one of the query's earlier tokens at random. A head
 * that attends along bigrams shows pairs at distance 1 with large lifts; a skip-gram head, at larger distances; an
 * induction head, pairs (token after an earlier copy of the query → query). Attention to the first position (BOS, the
 * usual resting place) is counted apart.
 */
public final class Multigrams {

    /** One pair: key token, query token, how often, the expected count, the most common distance, an example. */
    public record Pair(String key, String query, int count, double expected, int distance, String example) {
        public double lift() {
            return expected > 0 ? count / expected : Double.POSITIVE_INFINITY;
        }
    }

    /** The pairs, most frequent first, the query positions counted and how many of them rested on position 0. */
    public record Result(List<Pair> pairs, int queries, int restingOnFirst) {
    }

    private Multigrams() {
    }

    /**
     * Counts over sequences: {@code tokens[s]} the token strings of sequence s, {@code patterns[s]} the head's attention
     * [query][key] on it.
     */
    public static Result count(List<List<String>> tokens, List<float[][]> patterns) {
        Map<String, int[]> counts = new HashMap<>(); // "key\u0000query" → {count}
        Map<String, double[]> expected = new HashMap<>();
        Map<String, Map<Integer, Integer>> distances = new HashMap<>();
        Map<String, String> examples = new HashMap<>();
        int queries = 0;
        int resting = 0;
        for (int s = 0; s < tokens.size(); s++) {
            List<String> t = tokens.get(s);
            float[][] a = patterns.get(s);
            for (int q = 1; q < t.size(); q++) {
                int best = 0;
                for (int k = 1; k <= q; k++) {
                    if (a[q][k] > a[q][best]) {
                        best = k;
                    }
                }
                queries++;
                if (best == 0) {
                    resting++;
                    continue;
                }
                String key = t.get(best) + "\u0000" + t.get(q);
                counts.computeIfAbsent(key, x -> new int[1])[0]++;
                distances.computeIfAbsent(key, x -> new HashMap<>()).merge(q - best, 1, Integer::sum);
                examples.putIfAbsent(key, q - best <= 8 ? String.join("", t.subList(Math.max(1, best - 2), q + 1))
                        : String.join("", t.subList(Math.max(1, best - 2), best + 1)) + " … "
                        + String.join("", t.subList(q - 2, q + 1)));
                // the baseline: a key drawn uniformly from positions 1..q of this sequence
                Map<String, Integer> seen = new HashMap<>();
                for (int k = 1; k <= q; k++) {
                    seen.merge(t.get(k), 1, Integer::sum);
                }
                for (Map.Entry<String, Integer> e : seen.entrySet()) {
                    expected.computeIfAbsent(e.getKey() + "\u0000" + t.get(q), x -> new double[1])[0] +=
                            e.getValue() / (double) q;
                }
            }
        }
        List<Pair> pairs = new ArrayList<>();
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            String[] kq = e.getKey().split("\u0000", 2);
            int mode = distances.get(e.getKey()).entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow()
                    .getKey();
            pairs.add(new Pair(kq[0], kq[1], e.getValue()[0], expected.getOrDefault(e.getKey(), new double[1])[0],
                    mode, examples.get(e.getKey())));
        }
        pairs.sort(Comparator.comparingInt(Pair::count).reversed().thenComparing(Pair::key).thenComparing(
                Pair::query));
        return new Result(pairs, queries, resting);
    }
}
