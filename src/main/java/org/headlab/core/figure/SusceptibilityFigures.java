package org.headlab.core.figure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.headlab.core.analysis.Pca;
import org.headlab.core.analysis.TokenKinds;
import org.headlab.core.estimate.Head;
import org.headlab.core.estimate.susceptibility.StoredSusceptibility;

/**
 * The per-token susceptibilities of the heads at one checkpoint as figures: the head × token matrix of χ, and the
 * map of the tokens' susceptibility vectors (one coordinate per head) on their first two principal components,
 * coloured by token kind ({@link TokenKinds}) — the paper's picture of how head types respond to token types.
 */
public final class SusceptibilityFigures {
    private SusceptibilityFigures() {
    }

    /** A stored result as the estimate it holds. */
    public static StoredSusceptibility of(org.headlab.core.store.StoredResult r) {
        return StoredSusceptibility.of(r.key().asHead(),
                r.key().dataset(), r.key().params(), r.result());
    }

    /** Every stored susceptibility at {@code step}, in head order (never creates a store; empty when none). */
    public static List<StoredSusceptibility> stored(org.headlab.core.run.Run run, int step) {
        List<StoredSusceptibility> out = new ArrayList<>();
        if (!org.headlab.core.store.ResultStore.hasResults(run.dir())) {
            return out;
        }
        try (org.headlab.core.store.ResultStore store = org.headlab.core.store.ResultStore.readOnlyView(run)) {
            for (org.headlab.core.store.StoredResult r : store.query(
                    org.headlab.core.estimate.susceptibility.SusceptibilityEstimator.ID, run.contentHash(step))) {
                if (r.key().scope() == org.headlab.core.estimate.Scope.HEAD) {
                    out.add(of(r));
                }
            }
        }
        return oneVariant(out);
    }

    /**
     * The estimates of one parameter set (and slice), in head order: the set most heads have, devinterp's reference
     * (the full model) on a tie — a checkpoint can hold a sweep with {@code reference=self} beside the default one.
     */
    public static List<StoredSusceptibility> oneVariant(List<StoredSusceptibility> all) {
        java.util.Map<String, Integer> count = new java.util.HashMap<>();
        for (StoredSusceptibility x : all) {
            count.merge(x.params() + "|" + x.dataset(), 1, Integer::sum);
        }
        String best = count.entrySet().stream().max(java.util.Comparator.comparingInt(
                (java.util.Map.Entry<String, Integer> e) -> e.getValue()).thenComparing(e -> e.getKey().contains(
                        "\"reference\":\"full\""))).map(java.util.Map.Entry::getKey).orElse(null);
        List<StoredSusceptibility> out = new ArrayList<>(all.stream()
                .filter(x -> (x.params() + "|" + x.dataset()).equals(best)).toList());
        out.sort(java.util.Comparator.comparingInt((StoredSusceptibility x) -> x.head().layer())
                .thenComparingInt(x -> x.head().head()));
        return out;
    }

    /** The heads that share the first one's probe and settings (a matrix needs one probe). */
    public static List<StoredSusceptibility> sameProbe(List<StoredSusceptibility> all) {
        if (all.isEmpty()) {
            return all;
        }
        StoredSusceptibility first = all.get(0);
        return all.stream().filter(s -> s.params().equals(first.params()) && s.dataset().equals(first.dataset())
                && Arrays.deepEquals(s.probeTokens(), first.probeTokens())).toList();
    }

    /** "context → token" of every probe token, in the order of the χ arrays. */
    public static List<String> tokenLabels(StoredSusceptibility s, List<String> vocab) {
        return tokenLabels(s.probeTokens(), vocab, TokenStyle.VISIBLE);
    }

    /** How a token is written in a label: quoted with escapes (a terminal) or with visible blanks (a figure). */
    public enum TokenStyle {
        QUOTED(" → "), VISIBLE("→");

        final String arrow;

        TokenStyle(String arrow) {
            this.arrow = arrow;
        }

        String show(List<String> vocab, int id) {
            String s = id >= 0 && id < vocab.size() ? vocab.get(id) : "#" + id;
            return this == QUOTED ? "'" + s.replace("\n", "\\n").replace("\t", "\\t") + "'"
                    : s.replace("\n", "⏎").replace(' ', '␣');
        }
    }

    /** "context→predicted" for every predicted position of every probe window, in probe order. */
    public static List<String> tokenLabels(int[][] probe, List<String> vocab, TokenStyle style) {
        List<String> out = new ArrayList<>();
        for (int[] w : probe) {
            for (int t = 1; t < w.length; t++) {
                out.add(style.show(vocab, w[t - 1]) + style.arrow + style.show(vocab, w[t]));
            }
        }
        return out;
    }

    /** The kind of every probe token. */
    public static List<String> tokenKinds(StoredSusceptibility s, List<String> vocab) {
        List<String> out = new ArrayList<>();
        for (int[] w : s.probeTokens()) {
            for (int t = 1; t < w.length; t++) {
                out.add(TokenKinds.of(w, t, vocab));
            }
        }
        return out;
    }

    /**
     * Heads × the tokens of one probe window (a whole probe of lm windows is a thousand columns, too many to read),
     * χ on a diverging scale symmetric around 0.
     */
    public static MatrixFigure matrix(List<StoredSusceptibility> heads, List<String> vocab, int step, int window,
            Provenance provenance) {
        List<StoredSusceptibility> hs = sameProbe(heads);
        int per = hs.get(0).tokensPerWindow();
        int w = Math.max(0, Math.min(window, hs.get(0).probeTokens().length - 1));
        double[][] v = new double[hs.size()][];
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < hs.size(); i++) {
            v[i] = Arrays.copyOfRange(hs.get(i).chi(), w * per, (w + 1) * per);
            rows.add(hs.get(i).head().toString());
        }
        List<String> cols = tokenLabels(hs.get(0), vocab).subList(w * per, (w + 1) * per);
        return MatrixFigure.of(String.format(Locale.ROOT, "Per-token susceptibility χ of each head, step %d,"
                + " probe window %d of %d", step, w, hs.get(0).probeTokens().length), v, rows, cols, "head",
                "probe token (context→predicted)", "χ", provenance);
    }

    /**
     * Every probe token as a point at its first two principal components over the heads' χ, labelled by kind;
     * null with fewer than two heads (no map to draw).
     */
    public static ScatterFigure map(List<StoredSusceptibility> heads, List<String> vocab, int step,
            Provenance provenance) {
        List<StoredSusceptibility> hs = sameProbe(heads);
        if (hs.size() < 2) {
            return null;
        }
        int tokens = hs.get(0).chi().length;
        double[][] x = new double[tokens][hs.size()];
        for (int h = 0; h < hs.size(); h++) {
            for (int k = 0; k < tokens; k++) {
                x[k][h] = hs.get(h).chi()[k];
            }
        }
        Pca.Result pca = Pca.of(x, 2);
        List<String> names = tokenLabels(hs.get(0), vocab);
        List<String> kinds = tokenKinds(hs.get(0), vocab);
        List<ScatterFigure.Point> points = new ArrayList<>();
        for (int k = 0; k < tokens; k++) {
            points.add(new ScatterFigure.Point(names.get(k), kinds.get(k), pca.scores()[k][0], pca.scores()[k][1], Double.NaN));
        }
        return new ScatterFigure(String.format(Locale.ROOT, "Probe tokens by their susceptibility over %d heads,"
                + " step %d (PCA)", hs.size(), step), String.format(Locale.ROOT, "PC1 (%.0f %%)",
                100 * pca.explained()[0]), String.format(Locale.ROOT, "PC2 (%.0f %%)", 100 * pca.explained()[1]),
                points, false, provenance);
    }

    /** One head's probe as text coloured by χ (grey type: not resolved). */
    public static TokenStripFigure tokens(StoredSusceptibility s, List<String> vocab, int step,
            Provenance provenance) {
        List<String> kinds = tokenKinds(s, vocab);
        List<TokenStripFigure.Token> out = new ArrayList<>();
        int per = s.tokensPerWindow();
        for (int k = 0; k < s.chi().length; k++) {
            int w = k / per;
            int pos = k % per + 1;
            int id = s.probeTokens()[w][pos];
            out.add(new TokenStripFigure.Token(w, pos, id >= 0 && id < vocab.size() ? vocab.get(id) : "#" + id,
                    kinds.get(k), s.chi()[k], s.se()[k]));
        }
        return new TokenStripFigure(String.format(Locale.ROOT, "χ per probe token, head %s, step %d (red raises"
                + " its loss excess; grey type: unresolved)", s.head(), step), out, "χ", provenance);
    }

    /**
     * The kinds ({@link TokenKinds}) of at least {@code minShare} of the probe's tokens and not all of them: the
     * kinds a by-kind comparison has enough tokens on both sides for.
     */
    public static List<String> frequentKinds(StoredSusceptibility s, List<String> vocab, double minShare) {
        List<String> kinds = tokenKinds(s, vocab);
        java.util.Map<String, Long> count = new java.util.TreeMap<>();
        kinds.forEach(k -> count.merge(k, 1L, Long::sum));
        return count.entrySet().stream().filter(e -> e.getValue() >= minShare * kinds.size()
                && e.getValue() < kinds.size()).map(java.util.Map.Entry::getKey).toList();
    }

    /**
     * Mean χ on the probe tokens of one kind minus mean χ on the others (the shared offset of a layer's χ cancels):
     * positive when the head's posterior responds more to that kind of token.
     */
    public static double kindContrast(StoredSusceptibility s, List<String> kinds, String kind) {
        double in = 0;
        double out = 0;
        int nIn = 0;
        int nOut = 0;
        for (int k = 0; k < s.chi().length; k++) {
            if (kinds.get(k).equals(kind)) {
                in += s.chi()[k];
                nIn++;
            } else {
                out += s.chi()[k];
                nOut++;
            }
        }
        return nIn == 0 || nOut == 0 ? Double.NaN : in / nIn - out / nOut;
    }

    /**
     * Every head's {@link #kindContrast} over the checkpoints with stored estimates, one panel per layer, each head
     * labelled {@code labelOf} (its class, for the colour); null with fewer than two checkpoints.
     */
    public static TrajectoryFigure kindOverTraining(java.util.SortedMap<Integer, List<StoredSusceptibility>> byStep,
            List<String> vocab, String kind, java.util.function.Function<Head, String> labelOf,
            Provenance provenance) {
        if (byStep.size() < 2) {
            return null;
        }
        java.util.Map<Head, java.util.TreeMap<Integer, Double>> byHead = new java.util.TreeMap<>(
                java.util.Comparator.comparingInt(Head::layer).thenComparingInt(Head::head));
        byStep.forEach((step, heads) -> {
            for (StoredSusceptibility h : heads) {
                byHead.computeIfAbsent(h.head(), x -> new java.util.TreeMap<>())
                        .put(step, kindContrast(h, tokenKinds(h, vocab), kind));
            }
        });
        List<TrajectoryFigure.Series> series = new ArrayList<>();
        byHead.forEach((head, values) -> series.add(new TrajectoryFigure.Series(head.toString(), labelOf.apply(head),
                "layer " + head.layer(), values.keySet().stream().mapToDouble(Integer::doubleValue).toArray(),
                values.values().stream().mapToDouble(Double::doubleValue).toArray(), null, null)));
        return new TrajectoryFigure(String.format(Locale.ROOT, "Susceptibility on %s tokens minus on the rest, per"
                + " head over training", kind), "training step", "mean χ (" + kind + ") − mean χ (rest)", series,
                List.of(), true, provenance);
    }
}
