package org.headlab.core.estimate.patterns;

import java.util.List;
import org.headlab.core.data.RepeatedTokens;
import org.headlab.core.data.TokenStructure;

/**
 * The inputs of the pattern scores; a list may be empty, and its scores are then NaN.
 *
 * @param text ordinary sequences (previous-token, current-token, and the custom template)
 * @param repeated repeated random tokens (induction)
 * @param brackets Dyck strings with their bracket structure (bracket matching)
 * @param sexpressions S-expressions with their bracket structure (depth tracking)
 * @param custom a [query][key] template for {@link PatternScores} "custom"; null for none. It must be T×T for the
 *     length T of every text sequence
 */
public record PatternData(List<int[]> text, List<RepeatedTokens> repeated, List<Structured> brackets,
        List<Structured> sexpressions, double[][] custom) {

    public PatternData {
        text = text == null ? List.of() : List.copyOf(text);
        repeated = repeated == null ? List.of() : List.copyOf(repeated);
        brackets = brackets == null ? List.of() : List.copyOf(brackets);
        sexpressions = sexpressions == null ? List.of() : List.copyOf(sexpressions);
    }

    /** Token ids with the bracket structure of their token strings (same length). */
    public record Structured(int[] ids, TokenStructure structure) {
        public Structured {
            if (ids.length != structure.size()) {
                throw new IllegalArgumentException(ids.length + " ids but a structure of " + structure.size());
            }
        }
    }
}
