package org.headlab.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.headlab.core.HeadLabException;
import org.headlab.core.data.TokenStructure.Problem;
import org.headlab.core.data.TokenStructure.ProblemKind;
import org.junit.jupiter.api.Test;

/** Checks depth, match and kind arrays against values computed by hand for each string (written in the comments). */
class TokenStructureTest {

    private static TokenStructure of(String spaced) {
        return TokenStructure.of(Arrays.asList(spaced.split(" ")));
    }

    @Test
    void nestedSExpression() {
        //              0 1 2  3 4 5 6 7 8
        TokenStructure s = of("( + 12 ( * x 3 ) )");
        assertArrayEquals(new int[] {0, 1, 1, 1, 2, 2, 2, 1, 0}, s.depths());
        assertArrayEquals(new int[] {8, -1, -1, 7, -1, -1, -1, 3, 0}, s.matches());
        assertArrayEquals(new int[] {0, -1, -1, 0, -1, -1, -1, 0, 0}, s.kinds());
        assertTrue(s.isBalanced());
        assertEquals(2, s.maxNesting());
        assertTrue(s.isOpener(3) && s.isCloser(7) && !s.isBracket(1));
    }

    @Test
    void dyckWithFourKinds() {
        //              0 1 2 3 4 5 6 7 8 9
        TokenStructure s = of("[ ( ) { < > } ] ( )");
        assertArrayEquals(new int[] {0, 1, 1, 1, 2, 2, 1, 0, 0, 0}, s.depths());
        assertArrayEquals(new int[] {7, 2, 1, 6, 5, 4, 3, 0, 9, 8}, s.matches());
        assertArrayEquals(new int[] {1, 0, 0, 2, 3, 3, 2, 1, 0, 0}, s.kinds());
        assertEquals(3, s.maxNesting());
        assertTrue(s.problems().isEmpty());
    }

    @Test
    void noBracketsAtAll() {
        TokenStructure s = TokenStructure.of(List.of("the", "cat"));
        assertArrayEquals(new int[] {0, 0}, s.depths());
        assertArrayEquals(new int[] {-1, -1}, s.matches());
        assertEquals(0, s.maxNesting());
        assertEquals(0, TokenStructure.of(List.of()).size());
    }

    @Test
    void unmatchedCloserIsListedNotThrown() {
        //              0 1 2 3 4
        TokenStructure s = of("( a ) ) b");
        assertArrayEquals(new int[] {0, 1, 0, 0, 0}, s.depths());
        assertArrayEquals(new int[] {2, -1, 0, -1, -1}, s.matches());
        assertEquals(List.of(new Problem(ProblemKind.UNMATCHED_CLOSER, 3, -1,
                "closing ')' at token 3 has no opening bracket")), s.problems());
        assertFalse(s.isBalanced());
    }

    @Test
    void unclosedOpenersAreListedInReadingOrder() {
        //              0 1 2 3 4
        TokenStructure s = of("( [ a { }");
        assertArrayEquals(new int[] {0, 1, 2, 2, 2}, s.depths());
        assertArrayEquals(new int[] {-1, -1, -1, 4, 3}, s.matches());
        assertEquals(List.of(ProblemKind.UNCLOSED_OPENER, ProblemKind.UNCLOSED_OPENER),
                s.problems().stream().map(Problem::kind).toList());
        assertEquals(List.of(0, 1), s.problems().stream().map(Problem::position).toList());
    }

    @Test
    void mismatchedKindsArePairedAndListed() {
        //              0 1 2 3 4
        TokenStructure s = of("( [ a ) ]");
        // ')' meets the open '[' at 1: paired (depth 1), then ']' finds '(' at 0
        assertArrayEquals(new int[] {0, 1, 2, 1, 0}, s.depths());
        assertArrayEquals(new int[] {4, 3, -1, 1, 0}, s.matches());
        assertEquals(2, s.problems().size());
        Problem first = s.problems().get(0);
        assertEquals(ProblemKind.MISMATCHED_KIND, first.kind());
        assertEquals(3, first.position());
        assertEquals(1, first.otherPosition());
        assertTrue(first.message().contains("')' at token 3") && first.message().contains("'[' at token 1"));
        assertEquals(4, s.problems().get(1).position());
    }

    @Test
    void customPairsAndWhitespaceAroundSubwordTokens() {
        List<BracketPair> pairs = List.of(new BracketPair("begin", "end"), new BracketPair("(", ")"));
        TokenStructure s = TokenStructure.of(List.of("begin", "x", " (", "y", ") ", "end", "<"), pairs);
        assertArrayEquals(new int[] {0, 1, 1, 2, 1, 0, 0}, s.depths());
        assertArrayEquals(new int[] {5, -1, 4, -1, 2, 0, -1}, s.matches());
        assertArrayEquals(new int[] {0, -1, 1, -1, 1, 0, -1}, s.kinds());
    }

    @Test
    void aTokenInTwoPairsIsRefused() {
        assertThrows(HeadLabException.class, () -> TokenStructure.of(List.of("("),
                List.of(new BracketPair("(", ")"), new BracketPair("[", "("))));
        assertThrows(HeadLabException.class, () -> new BracketPair("|", "|"));
        assertThrows(HeadLabException.class, () -> TokenStructure.of(List.of("("),
                List.of(new BracketPair("(", ")"), new BracketPair("(", "]"))));
    }

    /** Dyck with a generic closer: ( [ { all close with ')', each closer followed by a tag naming the kind. */
    private static final List<BracketPair> UNTYPED = List.of(new BracketPair("(", ")"), new BracketPair("[", ")"),
            new BracketPair("{", ")"));

    @Test
    void aSharedCloserClosesTheInnermostOpenerAndTakesItsKind() {
        //                                    0    1    2    3    4    5    6    7    8
        TokenStructure s = TokenStructure.of(List.of("(", "[", ")", "b", "{", ")", "c", ")", "a"), UNTYPED);
        assertTrue(s.isBalanced(), s.problems().toString());
        assertArrayEquals(new int[] {7, 2, 1, -1, 5, 4, -1, 0, -1}, s.matches());
        assertArrayEquals(new int[] {0, 1, 1, 1, 1, 1, 1, 0, 0}, s.depths());
        assertArrayEquals(new int[] {0, 1, 1, -1, 2, 2, -1, 0, -1}, s.kinds());
        assertTrue(s.isCloser(2) && s.isCloser(5) && s.isCloser(7) && !s.isCloser(3));
        assertEquals(2, s.maxNesting());
    }

    @Test
    void aSharedCloserStillReportsUnmatchedAndUnclosedBrackets() {
        TokenStructure s = TokenStructure.of(List.of(")", "[", "(", ")"), UNTYPED);
        assertEquals(List.of(ProblemKind.UNMATCHED_CLOSER, ProblemKind.UNCLOSED_OPENER),
                s.problems().stream().map(Problem::kind).toList());
        assertArrayEquals(new int[] {-1, -1, 3, 2}, s.matches());
        // mixed with typed pairs: ']' cannot close a '{' even though ')' can
        TokenStructure m = TokenStructure.of(List.of("{", "]"), List.of(new BracketPair("[", "]"),
                new BracketPair("{", ")"), new BracketPair("(", ")")));
        assertEquals(ProblemKind.MISMATCHED_KIND, m.problems().get(0).kind());
    }
}
