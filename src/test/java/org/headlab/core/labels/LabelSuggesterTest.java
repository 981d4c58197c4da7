package org.headlab.core.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.headlab.core.data.TokenStructure;
import org.headlab.core.estimate.Head;
import org.junit.jupiter.api.Test;

/** Suggestions from hand-built patterns whose scores are known exactly. */
class LabelSuggesterTest {
    static final int N = 16;
    final LabelSuggester suggester = new LabelSuggester();

    static HeadEvidence evidence(float[][] pattern, int[] ids, TokenStructure structure) {
        return new HeadEvidence(new Head(0, 0), 0, AttentionEvidence.scores(pattern, ids, structure), "hand-built");
    }

    static int[] distinctIds(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        return ids;
    }

    @Test
    void aPreviousTokenPatternSuggestsPreviousTokenWithScoreOne() {
        float[][] p = new float[N][N];
        p[0][0] = 1;
        for (int q = 1; q < N; q++) {
            p[q][q - 1] = 1;
        }
        var s = suggester.suggest(evidence(p, distinctIds(N), null)).orElseThrow();
        assertEquals("previous-token", s.classId());
        assertEquals(HeadEvidence.PREVIOUS_TOKEN, s.scoreName());
        assertEquals(1.0, s.score(), 1e-9);
        assertTrue(s.reason().startsWith("previous_token 1.00"), s.reason());
    }

    @Test
    void aUniformPatternGivesNoConfidentSuggestion() {
        float[][] p = new float[N][N];
        for (int q = 0; q < N; q++) {
            for (int k = 0; k <= q; k++) {
                p[q][k] = 1f / (q + 1);
            }
        }
        int[] ids = new int[N];
        for (int i = 0; i < N; i++) {
            ids[i] = i % 4; // repeats, so an induction score exists too
        }
        HeadEvidence e = evidence(p, ids, null);
        assertTrue(e.score(HeadEvidence.INDUCTION).isPresent());
        assertTrue(suggester.suggest(e).isEmpty(), () -> "suggested for " + e.scores());
    }

    @Test
    void selfBosInductionAndBracketPatternsEachSuggestTheirClass() {
        float[][] self = new float[N][N];
        float[][] bos = new float[N][N];
        for (int q = 0; q < N; q++) {
            self[q][q] = 1;
            bos[q][0] = 1;
        }
        assertEquals("current-token", suggester.suggest(evidence(self, distinctIds(N), null)).orElseThrow().classId());
        assertEquals("positional", suggester.suggest(evidence(bos, distinctIds(N), null)).orElseThrow().classId());

        // "<bos> a b c a b c": from the second a/b/c to the token after its first occurrence
        int[] ids = {9, 1, 2, 3, 1, 2, 3};
        float[][] ind = new float[7][7];
        for (int q = 0; q < 7; q++) {
            ind[q][q >= 4 ? q - 2 : 0] = 1;
        }
        var s = suggester.suggest(evidence(ind, ids, null)).orElseThrow();
        assertEquals("induction", s.classId());
        assertEquals(1.0, s.score(), 1e-9);

        List<String> tokens = List.of("<bos>", "(", "[", "]", ")");
        float[][] br = new float[5][5];
        for (int q = 0; q < 5; q++) {
            br[q][q == 3 ? 2 : q == 4 ? 1 : 0] = 1;
        }
        HeadEvidence be = evidence(br, new int[] {0, 1, 2, 3, 4}, TokenStructure.of(tokens));
        assertEquals("bracket-matching", suggester.suggest(be).orElseThrow().classId());
        assertEquals(1.0, be.score(HeadEvidence.BRACKET_MATCHING).getAsDouble(), 1e-9);
    }
}
