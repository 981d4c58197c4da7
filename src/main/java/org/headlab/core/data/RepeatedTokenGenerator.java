package org.headlab.core.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.headlab.core.HeadLabException;

/**
 * Repeated random tokens for the induction score: {@code halfLength} ids drawn uniformly (with replacement) from
 * [fromId, toIdExclusive) minus {@code excludedIds}, then the same ids again, after a BOS when {@code bosId >= 0}.
 * Special ids belong in {@code excludedIds}: a BOS or padding in the middle of a sequence is not what the model saw
 * in training and would distort the score. The BOS itself is never drawn, listed or not.
 */
public record RepeatedTokenGenerator(int fromId, int toIdExclusive, Set<Integer> excludedIds, int halfLength,
        int bosId) {

    public RepeatedTokenGenerator {
        excludedIds = Set.copyOf(excludedIds);
        if (halfLength < 1) {
            throw new HeadLabException("repeated-token half length must be at least 1, got " + halfLength);
        }
        if (fromId < 0 || toIdExclusive <= fromId) {
            throw new HeadLabException("repeated-token id range [" + fromId + ", " + toIdExclusive + ") is empty");
        }
        final Set<Integer> excluded = excludedIds;
        final int bos = bosId;
        if (IntStream.range(fromId, toIdExclusive).allMatch(id -> id == bos || excluded.contains(id))) {
            throw new HeadLabException("repeated-token id range [" + fromId + ", " + toIdExclusive
                    + ") has no id left after the exclusions");
        }
    }

    /** All ids of {@code tokenizer} except its BOS, prefixed by the BOS when it has one. */
    public static RepeatedTokenGenerator forTokenizer(Tokenizer tokenizer, int halfLength) {
        int bos = tokenizer.bosId();
        return new RepeatedTokenGenerator(0, tokenizer.vocabSize(), bos >= 0 ? Set.of(bos) : Set.of(), halfLength,
                bos);
    }

    public RepeatedTokens sample(SplittableRandom rng) {
        int[] allowed = IntStream.range(fromId, toIdExclusive).filter(id -> id != bosId && !excludedIds.contains(id))
                .toArray();
        int prefix = bosId >= 0 ? 1 : 0;
        int[] ids = new int[prefix + 2 * halfLength];
        if (prefix == 1) {
            ids[0] = bosId;
        }
        for (int i = 0; i < halfLength; i++) {
            int id = allowed[rng.nextInt(allowed.length)];
            ids[prefix + i] = id;
            ids[prefix + halfLength + i] = id;
        }
        return new RepeatedTokens(ids, halfLength, prefix);
    }

    public List<RepeatedTokens> generate(long seed, int count) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<RepeatedTokens> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(sample(rng));
        }
        return out;
    }
}
