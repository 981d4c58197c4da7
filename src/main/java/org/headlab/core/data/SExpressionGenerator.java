package org.headlab.core.data;

import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.headlab.core.HeadLabException;

/**
 * Random arithmetic S-expressions mod 7 in prefix form, such as {@code (+ 3 (* 2 5))}, with their value.
 *
 * <p>Operators are {@code + - *} (subtraction folds left: {@code (- a b c)} is a − b − c), operands are the digits
 * 0..6, each operator takes minArity..maxArity operands. The nesting depth (brackets open at once) is drawn uniformly
 * from 1..maxDepth (or by {@code depthWeights}) and reached exactly: one operand of each operator on a chosen spine carries the remaining depth,
 * the other operands are a digit or, with probability 1/2 while depth remains, a smaller expression. Drawing depth
 * first keeps shallow and deep expressions equally common (or as common as the weights say), which a plain "leaf
 * with probability p" recursion does not.
 *
 * @param format the text, with {@code {expr}} replaced by the expression and {@code {value}} by its value, e.g. the
 *     default {@code "{expr} = {value}"}, or {@code "{expr}"} for the expression alone
 * @param depthWeights null (depth uniform over 1..maxDepth) or one non-negative weight per depth 1..maxDepth, not
 *     all zero: depth d is drawn with probability weight[d-1] / sum, e.g. {@code [2, 1, 1]} makes half of the
 *     expressions a single operation
 */
public record SExpressionGenerator(int maxDepth, int minArity, int maxArity, String format,
        List<Integer> depthWeights) implements SequenceGenerator {

    public static final int MODULUS = 7;
    public static final String DEFAULT_FORMAT = "{expr} = {value}";
    private static final String[] OPERATORS = {"+", "-", "*"};

    public SExpressionGenerator {
        if (maxDepth < 1) {
            throw new HeadLabException("S-expression max depth must be at least 1, got " + maxDepth);
        }
        if (minArity < 2 || maxArity < minArity) {
            throw new HeadLabException("S-expression arity must satisfy 2 <= min <= max, got " + minArity + ".."
                    + maxArity);
        }
        if (format == null || !format.contains("{expr}")) {
            throw new HeadLabException("S-expression text format must contain {expr}, got " + format);
        }
        if (depthWeights != null) {
            depthWeights = List.copyOf(depthWeights);
            if (depthWeights.size() != maxDepth) {
                throw new HeadLabException("S-expression depth weights need one weight per depth 1.." + maxDepth
                        + ", got " + depthWeights.size() + ": " + depthWeights);
            }
            if (depthWeights.stream().anyMatch(w -> w < 0) || depthWeights.stream().mapToInt(w -> w).sum() <= 0) {
                throw new HeadLabException("S-expression depth weights must be non-negative and not all zero, got "
                        + depthWeights);
            }
        }
    }

    /** Depth uniform over 1..maxDepth. */
    public SExpressionGenerator(int maxDepth, int minArity, int maxArity, String format) {
        this(maxDepth, minArity, maxArity, format, null);
    }

    /** Arity 2..3, text {@code "{expr} = {value}"}. */
    public static SExpressionGenerator withDepth(int maxDepth) {
        return new SExpressionGenerator(maxDepth, 2, 3, DEFAULT_FORMAT);
    }

    @Override
    public GeneratedSequence sample(SplittableRandom rng) {
        int depth = drawDepth(rng);
        StringBuilder expr = new StringBuilder();
        int value = write(expr, depth, true, rng);
        String text = format.replace("{expr}", expr).replace("{value}", Integer.toString(value));
        return GeneratedSequence.of(text, BracketTokenizer.split(text), OptionalInt.of(value));
    }

    private int drawDepth(SplittableRandom rng) {
        if (depthWeights == null) {
            return 1 + rng.nextInt(maxDepth);
        }
        int r = rng.nextInt(depthWeights.stream().mapToInt(w -> w).sum());
        for (int d = 0; d < maxDepth; d++) {
            r -= depthWeights.get(d);
            if (r < 0) {
                return d + 1;
            }
        }
        throw new IllegalStateException();
    }

    /** Appends an expression of depth exactly {@code depth} (or at most, when not {@code exact}); returns its value. */
    private int write(StringBuilder out, int depth, boolean exact, SplittableRandom rng) {
        if (depth == 0 || (!exact && rng.nextInt(2) == 0)) {
            int digit = rng.nextInt(MODULUS);
            out.append(digit);
            return digit;
        }
        String op = OPERATORS[rng.nextInt(OPERATORS.length)];
        int arity = minArity + rng.nextInt(maxArity - minArity + 1);
        int spine = exact ? rng.nextInt(arity) : -1;
        out.append('(').append(op);
        int acc = 0;
        for (int i = 0; i < arity; i++) {
            out.append(' ');
            int v = write(out, depth - 1, i == spine, rng);
            acc = i == 0 ? v : apply(op, acc, v);
        }
        out.append(')');
        return acc;
    }

    static int apply(String op, int a, int b) {
        switch (op) {
            case "+":
                return Math.floorMod(a + b, MODULUS);
            case "-":
                return Math.floorMod(a - b, MODULUS);
            case "*":
                return Math.floorMod(a * b, MODULUS);
            default:
                throw new IllegalArgumentException(op);
        }
    }
}
