package org.headlab.core.data;

import java.math.BigInteger;
import java.util.List;
import org.headlab.core.HeadLabException;

/**
 * Evaluates arithmetic S-expressions mod 7 ({@code (+ 3 (* 2 5))} is 6), the language {@link SExpressionGenerator}
 * writes: {@code + - *} with two or more operands, subtraction folding left, non-negative integer literals taken
 * mod 7. Written apart from the generator (it parses text, the generator never does) so that each checks the other.
 */
public final class SExpressionEvaluator {

    private static final BigInteger MODULUS = BigInteger.valueOf(SExpressionGenerator.MODULUS);

    private final List<String> tokens;
    private int pos;

    private SExpressionEvaluator(List<String> tokens) {
        this.tokens = tokens;
    }

    /** The value in 0..6 of one expression; malformed input raises HeadLabException naming the token. */
    public static int evaluate(String expression) {
        List<String> tokens = BracketTokenizer.split(expression);
        if (tokens.isEmpty()) {
            throw new HeadLabException("the S-expression is empty");
        }
        SExpressionEvaluator e = new SExpressionEvaluator(tokens);
        int value = e.expression();
        if (e.pos < tokens.size()) {
            throw e.error("unexpected", "after the end of the expression");
        }
        return value;
    }

    private int expression() {
        if (pos >= tokens.size()) {
            throw new HeadLabException("the S-expression ends early: expected '(' or a number at token " + pos);
        }
        String t = tokens.get(pos);
        if (t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            pos++;
            return new BigInteger(t).mod(MODULUS).intValue();
        }
        if (!t.equals("(")) {
            throw error("expected '(' or a number, found", "");
        }
        pos++;
        if (pos >= tokens.size()) {
            throw new HeadLabException("the S-expression ends early: expected an operator at token " + pos);
        }
        String op = tokens.get(pos);
        if (!op.equals("+") && !op.equals("-") && !op.equals("*")) {
            throw error("expected an operator (+, - or *), found", "");
        }
        int opAt = pos;
        pos++;
        int operands = 0;
        int acc = 0;
        while (pos < tokens.size() && !tokens.get(pos).equals(")")) {
            int v = expression();
            acc = operands == 0 ? v : combine(op, acc, v);
            operands++;
        }
        if (pos >= tokens.size()) {
            throw new HeadLabException("the S-expression ends early: '(' before token " + opAt + " is never closed");
        }
        if (operands < 2) {
            throw new HeadLabException("'" + op + "' at token " + opAt + " needs at least two operands, got "
                    + operands);
        }
        pos++;
        return acc;
    }

    private static int combine(String op, int a, int b) {
        int m = MODULUS.intValue();
        return op.equals("+") ? (a + b) % m : op.equals("*") ? (a * b) % m : ((a - b) % m + m) % m;
    }

    private HeadLabException error(String before, String after) {
        return new HeadLabException("malformed S-expression: " + before + " '" + tokens.get(pos) + "' at token " + pos
                + (after.isEmpty() ? "" : " " + after));
    }
}
