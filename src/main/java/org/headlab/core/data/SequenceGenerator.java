package org.headlab.core.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded source of inputs. SplittableRandom's algorithm is specified by the JDK, so a seed gives the same sequences
 * on every machine and every Java version, which is what lets a stored result name its dataset by seed.
 */
public interface SequenceGenerator {

    /** One sequence, drawing from {@code rng}. */
    GeneratedSequence sample(SplittableRandom rng);

    /** {@code count} sequences from one seed. */
    default List<GeneratedSequence> generate(long seed, int count) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<GeneratedSequence> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(sample(rng));
        }
        return out;
    }
}
