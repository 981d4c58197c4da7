package org.headlab.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.headlab.core.HeadLabException;
import org.junit.jupiter.api.Test;

/**
 * Checks generated values three ways: the generator's own value, {@link SExpressionEvaluator} (recursive descent),
 * and a stack evaluator written below that shares no code with either. Evaluator cases are computed by hand.
 */
class SExpressionGeneratorTest {

    /** Result of the stack evaluator: value mod 7, nesting depth, smallest and largest operand count. */
    private record Checked(int value, int depth, int minOperands, int maxOperands) {
    }

    /** Shift-reduce over the characters: push "(" op and operands, reduce at ")". */
    private static Checked stackEvaluate(String expr) {
        Deque<List<Object>> frames = new ArrayDeque<>();
        frames.push(new ArrayList<>());
        int depth = 0;
        int minOps = Integer.MAX_VALUE;
        int maxOps = 0;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (c == '(') {
                frames.push(new ArrayList<>());
                depth = Math.max(depth, frames.size() - 1);
            } else if (c == ')') {
                List<Object> f = frames.pop();
                char op = (Character) f.get(0);
                long v = (Long) f.get(1);
                for (int j = 2; j < f.size(); j++) {
                    long w = (Long) f.get(j);
                    v = op == '+' ? v + w : op == '-' ? v - w : v * w;
                    v = ((v % 7) + 7) % 7;
                }
                minOps = Math.min(minOps, f.size() - 1);
                maxOps = Math.max(maxOps, f.size() - 1);
                frames.peek().add(v);
            } else if (c == '+' || c == '-' || c == '*') {
                frames.peek().add(c);
            } else if (Character.isDigit(c)) {
                frames.peek().add((long) (c - '0'));
            }
        }
        List<Object> top = frames.pop();
        assertEquals(1, top.size(), expr);
        return new Checked((int) (long) (Long) top.get(0), depth, minOps, maxOps);
    }

    @Test
    void valuesAgreeWithBothIndependentEvaluators() {
        for (int maxDepth = 1; maxDepth <= 4; maxDepth++) {
            SExpressionGenerator gen = new SExpressionGenerator(maxDepth, 2, 3, "{expr}");
            Set<Integer> depths = new HashSet<>();
            Set<Integer> values = new HashSet<>();
            for (long seed = 0; seed < 25; seed++) {
                for (GeneratedSequence g : gen.generate(seed, 20)) {
                    int value = g.value().orElseThrow();
                    Checked c = stackEvaluate(g.text());
                    assertEquals(c.value(), value, g.text());
                    assertEquals(SExpressionEvaluator.evaluate(g.text()), value, g.text());
                    assertTrue(value >= 0 && value < 7, g.text());
                    assertTrue(c.depth() >= 1 && c.depth() <= maxDepth, g.text());
                    assertTrue(c.minOperands() >= 2 && c.maxOperands() <= 3, g.text());
                    assertEquals(c.depth(), g.structure().maxNesting(), g.text());
                    assertTrue(g.structure().isBalanced(), g.text());
                    depths.add(c.depth());
                    values.add(value);
                }
            }
            for (int d = 1; d <= maxDepth; d++) {
                assertTrue(depths.contains(d), "depth " + d + " of max " + maxDepth + " never drawn");
            }
            assertEquals(7, values.size(), "all values 0..6 occur");
        }
    }

    @Test
    void arityRangeIsRespected() {
        for (GeneratedSequence g : new SExpressionGenerator(3, 3, 3, "{expr}").generate(1, 200)) {
            Checked c = stackEvaluate(g.text());
            assertEquals(3, c.minOperands(), g.text());
            assertEquals(3, c.maxOperands(), g.text());
        }
    }

    @Test
    void defaultTextEndsWithEqualsValueAndTokensAreTheBracketSplit() {
        for (GeneratedSequence g : SExpressionGenerator.withDepth(3).generate(8, 100)) {
            String[] parts = g.text().split(" = ");
            assertEquals(2, parts.length, g.text());
            assertEquals(Integer.toString(g.value().orElseThrow()), parts[1]);
            assertEquals(stackEvaluate(parts[0]).value(), g.value().orElseThrow());
            assertEquals(BracketTokenizer.split(g.text()), g.tokens());
            List<String> tail = g.tokens().subList(g.tokens().size() - 2, g.tokens().size());
            assertEquals(List.of("=", parts[1]), tail);
        }
        GeneratedSequence custom = new SExpressionGenerator(2, 2, 2, "{value} := {expr}").generate(3, 1).get(0);
        assertTrue(custom.text().startsWith(custom.value().orElseThrow() + " := ("), custom.text());
    }

    @Test
    void sameSeedSameExpressions() {
        SExpressionGenerator gen = SExpressionGenerator.withDepth(4);
        List<String> a = gen.generate(77, 50).stream().map(GeneratedSequence::text).toList();
        assertEquals(a, gen.generate(77, 50).stream().map(GeneratedSequence::text).toList());
        assertNotEquals(a, gen.generate(78, 50).stream().map(GeneratedSequence::text).toList());
    }

    @Test
    void evaluatorOnHandComputedCases() {
        assertEquals(6, SExpressionEvaluator.evaluate("(+ 3 (* 2 5))")); // 13 mod 7
        assertEquals(4, SExpressionEvaluator.evaluate("(- 2 5)")); // -3 mod 7
        assertEquals(0, SExpressionEvaluator.evaluate("(- 10 1 2)")); // 7 mod 7
        assertEquals(6, SExpressionEvaluator.evaluate("(* 3 3 3)")); // 27 mod 7
        assertEquals(5, SExpressionEvaluator.evaluate(" 12 ")); // 12 mod 7
        assertEquals(1, SExpressionEvaluator.evaluate("(*(+ 1 2)(- 6 2)(+ 0 3))")); // 3*4*3 = 36 = 5*7 + 1
    }

    @Test
    void evaluatorRefusesMalformedInputWithAClearMessage() {
        assertRefused("", "empty");
        assertRefused("(+ 3", "ends early");
        assertRefused("(+ 3)", "at least two operands");
        assertRefused("(/ 3 4)", "'/' at token 1");
        assertRefused("(+ 3 4))", "')' at token 5");
        assertRefused("(+ x 4)", "'x' at token 2");
        assertRefused(")", "')' at token 0");
        assertRefused("[+ 1 2]", "'[' at token 0");
        assertRefused("(+ 1 2) = 3", "'=' at token 5");
    }

    @Test
    void depthWeightsSetTheShareOfEachDepth() {
        SExpressionGenerator gen = new SExpressionGenerator(3, 2, 3, "{expr}", List.of(2, 1, 1));
        int[] byDepth = new int[4];
        for (GeneratedSequence g : gen.generate(5, 4000)) {
            Checked c = stackEvaluate(g.text());
            assertEquals(c.value(), g.value().orElseThrow(), g.text());
            byDepth[c.depth()]++;
        }
        assertEquals(0, byDepth[0]);
        assertTrue(Math.abs(byDepth[1] - 2000) < 150, "half at depth 1: " + byDepth[1]);
        assertTrue(Math.abs(byDepth[2] - 1000) < 120 && Math.abs(byDepth[3] - 1000) < 120,
                byDepth[2] + " / " + byDepth[3]);
        for (GeneratedSequence g : new SExpressionGenerator(3, 2, 3, "{expr}", List.of(0, 0, 1)).generate(6, 100)) {
            assertEquals(3, stackEvaluate(g.text()).depth(), g.text());
        }
        assertEquals(SExpressionGenerator.withDepth(3).generate(9, 30).stream().map(GeneratedSequence::text).toList(),
                new SExpressionGenerator(3, 2, 3, SExpressionGenerator.DEFAULT_FORMAT, null).generate(9, 30).stream()
                        .map(GeneratedSequence::text).toList(), "no weights: uniform depth, as before");
    }

    @Test
    void badParametersAreRefused() {
        assertThrows(HeadLabException.class, () -> new SExpressionGenerator(3, 2, 3, "{expr}", List.of(1, 1)));
        assertThrows(HeadLabException.class, () -> new SExpressionGenerator(2, 2, 3, "{expr}", List.of(1, -1)));
        assertThrows(HeadLabException.class, () -> new SExpressionGenerator(2, 2, 3, "{expr}", List.of(0, 0)));
        assertThrows(HeadLabException.class, () -> new SExpressionGenerator(0, 2, 3, "{expr}"));
        assertThrows(HeadLabException.class, () -> new SExpressionGenerator(2, 1, 3, "{expr}"));
        assertThrows(HeadLabException.class, () -> new SExpressionGenerator(2, 3, 2, "{expr}"));
        assertThrows(HeadLabException.class, () -> new SExpressionGenerator(2, 2, 3, "{value}"));
    }

    private static void assertRefused(String input, String mustMention) {
        HeadLabException e = assertThrows(HeadLabException.class, () -> SExpressionEvaluator.evaluate(input));
        assertTrue(e.getMessage().contains(mustMention), () -> "'" + e.getMessage() + "' should mention "
                + mustMention);
    }
}
