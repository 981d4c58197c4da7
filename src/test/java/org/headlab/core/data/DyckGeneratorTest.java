package org.headlab.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.headlab.core.HeadLabException;
import org.junit.jupiter.api.Test;

/**
 * Checks generated Dyck strings with a plain stack written here (not TokenStructure), against the parameters asked
 * for, and against a hand enumeration of the Dyck words of length 6.
 */
class DyckGeneratorTest {

    private static final String OPEN = "([{<";
    private static final String CLOSE = ")]}>";

    /** Nesting depth of a well-formed unspaced Dyck string, or -1 when it is not well formed. */
    private static int stackDepth(String s) {
        Deque<Character> stack = new ArrayDeque<>();
        int max = 0;
        for (char c : s.toCharArray()) {
            if (OPEN.indexOf(c) >= 0) {
                stack.push(c);
                max = Math.max(max, stack.size());
            } else if (CLOSE.indexOf(c) >= 0) {
                if (stack.isEmpty() || OPEN.indexOf(stack.pop()) != CLOSE.indexOf(c)) {
                    return -1;
                }
            } else {
                return -1;
            }
        }
        return stack.isEmpty() ? max : -1;
    }

    @Test
    void everyStringIsBalancedWithinDepthAndLengthAndUsesAllKinds() {
        for (int kinds = 1; kinds <= 4; kinds++) {
            for (int maxDepth = 1; maxDepth <= 5; maxDepth++) {
                DyckGenerator gen = new DyckGenerator(kinds, maxDepth, 2, 30, false);
                Set<Integer> depthsSeen = new HashSet<>();
                Set<Character> charsSeen = new HashSet<>();
                for (long seed = 0; seed < 40; seed++) {
                    for (GeneratedSequence g : gen.generate(seed, 20)) {
                        String text = g.text();
                        int depth = stackDepth(text);
                        assertTrue(depth >= 1, () -> "not balanced: " + text);
                        assertTrue(depth <= maxDepth, () -> "too deep: " + text);
                        assertTrue(text.length() >= 2 && text.length() <= 30 && text.length() % 2 == 0, text);
                        assertTrue(g.structure().isBalanced(), text);
                        assertEquals(depth, g.structure().maxNesting(), text);
                        depthsSeen.add(depth);
                        text.chars().forEach(c -> charsSeen.add((char) c));
                    }
                }
                for (int d = 1; d <= maxDepth; d++) {
                    assertTrue(depthsSeen.contains(d), "depth " + d + " never reached with max " + maxDepth);
                }
                for (int k = 0; k < 4; k++) {
                    assertEquals(k < kinds, charsSeen.contains(OPEN.charAt(k)), "kind " + k + " of " + kinds);
                    assertEquals(k < kinds, charsSeen.contains(CLOSE.charAt(k)), "kind " + k + " of " + kinds);
                }
            }
        }
    }

    @Test
    void everyEvenLengthInTheRangeIsDrawn() {
        Set<Integer> lengths = new HashSet<>();
        new DyckGenerator(2, 3, 4, 12, true).generate(5, 500).forEach(g -> lengths.add(g.tokens().size()));
        assertEquals(Set.of(4, 6, 8, 10, 12), lengths);
    }

    @Test
    void wordsOfOneLengthAreUniformAmongThoseWithinTheDepthBound() {
        // Dyck-1 words of length 6 with depth <= 2, by hand: ()()() (())() ()(()) (()()); ((())) is too deep
        Map<String, Integer> counts = new HashMap<>();
        int n = 8000;
        for (GeneratedSequence g : new DyckGenerator(1, 2, 6, 6, false).generate(11, n)) {
            counts.merge(g.text(), 1, Integer::sum);
        }
        assertEquals(Set.of("()()()", "(())()", "()(())", "(()())"), counts.keySet());
        // each 1/4; 5 standard deviations is 0.024
        counts.values().forEach(c -> assertEquals(0.25, c / (double) n, 0.024, counts.toString()));
    }

    @Test
    void longWordsWithAHighDepthBoundStayWellFormed() {
        // counts of completions span far more than a double's range here; the row scaling must keep draws sound
        for (GeneratedSequence g : new DyckGenerator(2, 400, 1200, 1200, false).generate(6, 10)) {
            assertEquals(1200, g.text().length());
            assertTrue(stackDepth(g.text()) >= 1, g.text());
        }
    }

    @Test
    void spacedTextJoinsTheTokensAndUnspacedTextIsWhatTheCharTokenizerReads() {
        for (GeneratedSequence g : new DyckGenerator(4, 4, 2, 20, true).generate(3, 50)) {
            assertEquals(String.join(" ", g.tokens()), g.text());
            assertEquals(g.tokens(), BracketTokenizer.split(g.text()));
        }
        CharTokenizer chars = new CharTokenizer(List.of("(", ")", "[", "]", "{", "}", "<", ">"), null);
        for (GeneratedSequence g : new DyckGenerator(4, 4, 2, 20, false).generate(3, 50)) {
            assertFalse(g.text().contains(" "));
            assertEquals(g.tokens(), chars.tokenStrings(chars.encode(g.text())));
        }
    }

    @Test
    void sameSeedSameStringsOtherSeedOtherStrings() {
        DyckGenerator gen = new DyckGenerator(3, 4, 2, 40, false);
        List<String> a = gen.generate(42, 100).stream().map(GeneratedSequence::text).toList();
        List<String> b = gen.generate(42, 100).stream().map(GeneratedSequence::text).toList();
        List<String> c = gen.generate(43, 100).stream().map(GeneratedSequence::text).toList();
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertEquals(gen.sample(new SplittableRandom(9)).text(), gen.sample(new SplittableRandom(9)).text());
    }

    @Test
    void fixedSeedGivesTheRecordedStrings() {
        // recorded from this implementation: guards against an unnoticed change of the algorithm, which would
        // silently change every dataset named by its seed
        List<String> texts = new DyckGenerator(2, 3, 2, 10, false).generate(2024, 3).stream()
                .map(GeneratedSequence::text).toList();
        assertEquals(GOLDEN, texts);
    }

    private static final List<String> GOLDEN = List.of("(()[][])()", "()", "[[][]]");

    @Test
    void badParametersAreRefused() {
        assertThrows(HeadLabException.class, () -> new DyckGenerator(0, 2, 2, 10, false));
        assertThrows(HeadLabException.class, () -> new DyckGenerator(5, 2, 2, 10, false));
        assertThrows(HeadLabException.class, () -> new DyckGenerator(1, 0, 2, 10, false));
        assertThrows(HeadLabException.class, () -> new DyckGenerator(1, 2, 3, 10, false));
        assertThrows(HeadLabException.class, () -> new DyckGenerator(1, 2, 10, 4, false));
        assertThrows(HeadLabException.class, () -> new DyckGenerator(1, 2, 0, 4, false));
    }
}
