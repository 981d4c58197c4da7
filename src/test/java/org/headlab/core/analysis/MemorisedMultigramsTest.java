package org.headlab.core.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.headlab.core.analysis.MemorisedMultigrams.Kind;
import org.headlab.core.analysis.MemorisedMultigrams.Multigram;
import org.junit.jupiter.api.Test;

/**
 * The classes of memorised prediction on a hand-built slice whose every answer is worked out by hand in the comments:
 * an induction repeat, a bracket that closes the innermost open one, a bigram that always continues the same way, a
 * token that always follows another three positions later with changing tokens between, and noise.
 */
class MemorisedMultigramsTest {
    // ids:                               0      1    2    3    4    5    6    7    8    9    10   11
    static final List<String> VOCAB = List.of("<s>", "a", "b", "c", "d", "(", ")", "x", "y", "p", "q", "[");
    static final int S = 0, A = 1, B = 2, C = 3, D = 4, OPEN = 5, CLOSE = 6, X = 7, Y = 8, P = 9, Q = 10, SQ = 11;

    static final int[][] WINDOWS = {
        {S, A, B, P, A, B, Q, Q},            // 0: at i=4 (a), b follows as after the earlier a → induction
        {S, OPEN, P, SQ, Q, CLOSE, CLOSE, P}, // 1: ( p [ q ) ) — at i=4 ')' does not close '[' (the innermost)
        {S, C, D, P, C, D, Q, C},            // 2: c → d in every window: a bigram
        {S, Q, C, D, P, P, P, Q},            // 3
        {S, P, C, D, Q, P, Q, P},            // 4
        {S, P, Q, X, P, Q, Y, C},            // 5: x … y three apart, the middle changing: a skip bigram
        {S, Q, P, Q, X, Q, Q, Y},            // 6
        {S, P, Q, P, X, P, Q, Y},            // 7
        {S, OPEN, Q, P, CLOSE, Q, P, Q},     // 8: at i=3 the target ')' closes '(' → Dyck
    };

    static final MemorisedMultigrams M = new MemorisedMultigrams(WINDOWS, VOCAB, MemorisedMultigrams.Settings.DEFAULT);

    @Test
    void eachKindIsFoundWhereTheSliceWasBuiltToHaveIt() {
        assertEquals(new Multigram(Kind.INDUCTION, List.of(A), 3, B), M.classify(0, 4));
        assertEquals(Kind.DYCK, M.classify(8, 3).kind());
        // c → d: 6 times in the slice, always d: the shortest context (n = 1) qualifies
        assertEquals(new Multigram(Kind.NGRAM, List.of(C), 1, D), M.classify(3, 2));
        // y: 3 of the slice's 63 targets, each with x three before; x lies 2 … 16 before 7 targets (windows 5: 3,
        // 6: 2, 7: 2), 3 of them y: lift (3/7) / (3/63) = 9 ≥ 5
        assertEquals(new Multigram(Kind.SKIP_NGRAM, List.of(X), 3, Y), M.classify(5, 5));
        assertEquals(new Multigram(Kind.SKIP_NGRAM, List.of(X), 3, Y), M.classify(6, 6));
    }

    @Test
    void aBracketThatDoesNotCloseTheInnermostOneIsNotDyck() {
        // window 1: "( p [ q )": the ')' at position 5 closes nothing ('[' is open innermost); it may still be
        // predicted another way (here '(' … ')' is a skip bigram of the slice)
        org.junit.jupiter.api.Assertions.assertNotEquals(Kind.DYCK, M.classify(1, 4).kind());
    }

    @Test
    void onlyKnownTokensThatTheHeadIsNeededForCountAndEachMultigramOnce() {
        float[][] clean = new float[WINDOWS.length][7];
        float[][] increase = new float[WINDOWS.length][7];
        for (float[] row : clean) {
            java.util.Arrays.fill(row, 5f); // unknown: the model does not predict these
        }
        // known and needed: the bigram c → d in windows 2, 3, 4 (one multigram, three events), the skip bigram in
        // window 5, the induction in window 0
        for (int[] at : new int[][] {{2, 1}, {3, 2}, {4, 2}, {5, 5}, {0, 4}}) {
            clean[at[0]][at[1]] = 0.1f;
            increase[at[0]][at[1]] = 2f;
        }
        // known but not needed (the ablation costs little): not an event
        clean[2][4] = 0.1f;
        increase[2][4] = 0.2f;
        MemorisedMultigrams.HeadCount c = M.count(clean, increase, 3);
        assertEquals(Map.of(Kind.INDUCTION, 1, Kind.DYCK, 0, Kind.NGRAM, 3, Kind.SKIP_NGRAM, 1, Kind.OTHER, 0),
                c.events());
        assertEquals(2, c.multigrams(), "c → d and x …3… y");
        assertEquals(5, c.total());
        assertEquals(3, c.top().size());
        assertEquals("'x' …3… → 'y'", M.describe(M.classify(5, 5)));
    }
}
