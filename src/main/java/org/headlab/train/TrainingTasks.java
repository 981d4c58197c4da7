package org.headlab.train;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.headlab.core.HeadLabException;
import org.headlab.core.data.BracketPair;
import org.headlab.core.data.DyckGenerator;
import org.headlab.core.data.SExpressionGenerator;
import org.headlab.core.data.SequenceGenerator;
import org.headlab.core.data.TaggedDyckGenerator;
import org.headlab.core.data.TokenizerSpec;

/**
 * The built-in synthetic tasks: their tokenizers and their generated train / held-out slices. Held-out texts never
 * occur in the training slice (duplicates are skipped), so a held-out score is about generalisation.
 */
public final class TrainingTasks {
    public static final String BOS = "<bos>";
    /** Every token an S-expression of {@link SExpressionGenerator} can produce, with BOS first. */
    public static final List<String> SEXPR_VOCAB = List.of(BOS, "(", ")", "+", "-", "*", "0", "1", "2", "3", "4",
            "5", "6", "=");

    private TrainingTasks() {
    }

    /** Char tokenizer: BOS, then open and close of the first {@code kinds} bracket pairs, e.g. {@code <bos> ( ) [ ]}. */
    public static TokenizerSpec dyckTokenizer(int kinds) {
        List<String> vocab = new ArrayList<>();
        vocab.add(BOS);
        for (BracketPair p : BracketPair.DEFAULTS.subList(0, kinds)) {
            vocab.add(p.open());
            vocab.add(p.close());
        }
        return TokenizerSpec.chars(vocab, BOS);
    }

    /**
     * Char tokenizer of Dyck-k with untyped closers ({@link TaggedDyckGenerator}): BOS, the openers, the generic
     * closer, the kind tags, e.g. {@code <bos> ( [ { ) a b c}; it declares the run's bracket pairs ({@code ( [ {}
     * each closed by {@code )}) so the views and scores pair brackets the way this task does.
     */
    public static TokenizerSpec dyckTaggedTokenizer(int kinds) {
        List<String> vocab = new ArrayList<>();
        vocab.add(BOS);
        vocab.addAll(TaggedDyckGenerator.tokens(kinds));
        return TokenizerSpec.chars(vocab, BOS).withBrackets(TaggedDyckGenerator.pairs(kinds));
    }

    /** Bracket tokenizer over {@link #SEXPR_VOCAB}: tokens split on brackets and spaces. */
    public static TokenizerSpec sexprTokenizer() {
        return TokenizerSpec.brackets(SEXPR_VOCAB, BOS);
    }

    /** Train and held-out texts from one seed; held-out texts are drawn after the training ones and never repeat them. */
    public static List<TrainingSpec.Slice> slices(SequenceGenerator generator, long dataSeed, int trainCount,
            int heldoutCount, String what) {
        if (trainCount < 1) {
            throw new HeadLabException("--train-size must be at least 1, got " + trainCount);
        }
        if (heldoutCount < 0) {
            throw new HeadLabException("--heldout-size must not be negative, got " + heldoutCount);
        }
        SplittableRandom rng = new SplittableRandom(dataSeed);
        List<String> train = new ArrayList<>(trainCount);
        for (int i = 0; i < trainCount; i++) {
            train.add(generator.sample(rng).text());
        }
        Set<String> seen = new HashSet<>(train);
        List<String> heldout = new ArrayList<>(heldoutCount);
        int attempts = 0;
        while (heldout.size() < heldoutCount && attempts < 100 * Math.max(1, heldoutCount)) {
            attempts++;
            String t = generator.sample(rng).text();
            if (seen.add(t)) {
                heldout.add(t);
            }
        }
        if (heldout.size() < heldoutCount) {
            throw new HeadLabException("could not draw " + heldoutCount + " held-out " + what + " strings that are "
                    + "not in the training slice (the generator has too few distinct strings; use longer strings)");
        }
        List<TrainingSpec.Slice> out = new ArrayList<>();
        out.add(new TrainingSpec.Slice("train", trainCount + " generated " + what + " strings (training slice)",
                train));
        if (heldoutCount > 0) {
            out.add(new TrainingSpec.Slice("heldout", heldoutCount + " generated " + what
                    + " strings not in the training slice", heldout));
        }
        return out;
    }

    public static Map<String, Object> describe(DyckGenerator g, long dataSeed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", "dyck");
        m.put("generator", "DyckGenerator(kinds=" + g.kinds() + ", maxDepth=" + g.maxDepth() + ", minLength="
                + g.minLength() + ", maxLength=" + g.maxLength() + ")");
        m.put("data_seed", dataSeed);
        return m;
    }

    public static Map<String, Object> describe(TaggedDyckGenerator g, long dataSeed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", "dyck");
        m.put("closers", "untyped");
        m.put("generator", "TaggedDyckGenerator(kinds=" + g.kinds() + ", maxDepth=" + g.maxDepth() + ", minLength="
                + g.minLength() + ", maxLength=" + g.maxLength() + " brackets; generic closer ')' followed by the "
                + "tag of the kind it closed)");
        m.put("data_seed", dataSeed);
        return m;
    }

    public static Map<String, Object> describe(SExpressionGenerator g, long dataSeed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", "sexpr");
        m.put("generator", "SExpressionGenerator(maxDepth=" + g.maxDepth() + ", arity=" + g.minArity() + ".."
                + g.maxArity() + ", format='" + g.format() + "', values mod " + SExpressionGenerator.MODULUS
                + (g.depthWeights() == null ? "" : ", depthWeights=" + g.depthWeights()) + ")");
        m.put("data_seed", dataSeed);
        return m;
    }
}
