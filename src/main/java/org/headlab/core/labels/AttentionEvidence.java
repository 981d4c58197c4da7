package org.headlab.core.labels;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.headlab.core.data.TokenStructure;
import org.headlab.core.estimate.Head;
import org.headlab.core.session.AttentionResult;

/**
 * Pattern scores from the attention maps of one input at one checkpoint (what the workbench already computed):
 * cheap, immediate, but only as good as that one input. Each score is the mean over queries of the weight on the
 * key the pattern predicts (TransformerLens head_detector semantics). Query 0 is left out of the self and
 * first-token scores: it can only attend to itself. A score without any query it applies to (no repeated token,
 * no closing bracket) is left out rather than reported as 0.
 */
public final class AttentionEvidence implements EvidenceSource {
    private final AttentionResult result;

    public AttentionEvidence(AttentionResult result) {
        this.result = result;
    }

    @Override
    public Optional<HeadEvidence> evidence(Head head, int step) {
        if (result == null || result.step() != step || head.layer() >= result.layers()
                || head.head() >= result.heads() || result.length() < 2) {
            return Optional.empty();
        }
        String text = result.text().length() > 24 ? result.text().substring(0, 23) + "…" : result.text();
        return Optional.of(new HeadEvidence(head, step,
                scores(result.pattern(head.layer(), head.head()), result.tokenIds(), result.structure()),
                "attention map at step " + step + " on '" + text + "' (" + result.length() + " tokens)"));
    }

    /** The scores of one pattern [query][key] over tokens {@code ids}; {@code structure} may be null. */
    public static Map<String, Double> scores(float[][] pattern, int[] ids, TokenStructure structure) {
        int n = pattern.length;
        Map<String, Double> s = new LinkedHashMap<>();
        double prev = 0;
        double self = 0;
        double first = 0;
        for (int q = 1; q < n; q++) {
            prev += pattern[q][q - 1];
            self += pattern[q][q];
            first += pattern[q][0];
        }
        if (n > 1) {
            s.put(HeadEvidence.PREVIOUS_TOKEN, prev / (n - 1));
            s.put(HeadEvidence.CURRENT_TOKEN, self / (n - 1));
            s.put(HeadEvidence.FIRST_TOKEN, first / (n - 1));
        }
        // induction: from query q to the token after an earlier occurrence of ids[q]
        double induction = 0;
        int inductionQueries = 0;
        for (int q = 1; q < n; q++) {
            double w = 0;
            boolean any = false;
            for (int j = 0; j + 1 < q; j++) {
                if (ids[j] == ids[q]) {
                    w += pattern[q][j + 1];
                    any = true;
                }
            }
            if (any) {
                induction += w;
                inductionQueries++;
            }
        }
        if (inductionQueries > 0) {
            s.put(HeadEvidence.INDUCTION, induction / inductionQueries);
        }
        if (structure != null && structure.size() == n) {
            double bracket = 0;
            int closers = 0;
            for (int q = 0; q < n; q++) {
                int m = structure.isCloser(q) ? structure.match(q) : -1;
                if (m >= 0 && m < q) {
                    bracket += pattern[q][m];
                    closers++;
                }
            }
            if (closers > 0) {
                s.put(HeadEvidence.BRACKET_MATCHING, bracket / closers);
            }
        }
        return s;
    }
}
