package org.headlab.core.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.headlab.core.HeadLabException;

/**
 * The bracket structure of a token sequence, as the attention map draws it: nesting depth per token, the partner of
 * each bracket, the bracket kind, and what is wrong with the sequence when it is unbalanced.
 *
 * <p>Depth convention: the depth of a token is the number of brackets open before it that are still open. An opening
 * bracket and its closing bracket share the same depth, the outer level: in {@code ( a ( b ) )} the depths are
 * {@code 0 1 1 2 1 0}. {@link #maxNesting()} counts brackets open at once (2 there).
 *
 * <p>Unbalanced input is data, not an error, because a user typing into the GUI must see the mistake marked:
 * <ul>
 *   <li>a closer with nothing open is an {@link ProblemKind#UNMATCHED_CLOSER}, stays unmatched, gets depth 0;</li>
 *   <li>a closer of another kind than the innermost open bracket is a {@link ProblemKind#MISMATCHED_KIND}; the two
 *       are still paired (the closer most likely meant to close it), so the rest of the sequence keeps its
 *       depths;</li>
 *   <li>an opener still open at the end is an {@link ProblemKind#UNCLOSED_OPENER}.</li>
 * </ul>
 * Several pairs may share one closing token (a generic closer, as in {@code ( ) [ ) }): it closes the innermost
 * open bracket whenever that bracket's pair lists it, and then takes that bracket's kind. An opening token may appear
 * in one pair only, and no token may both open and close.
 * Tokens are compared after stripping surrounding whitespace, so a subword token {@code " ("} counts as a bracket.
 * Immutable; the array accessors return copies.
 */
public final class TokenStructure {

    public enum ProblemKind { UNMATCHED_CLOSER, UNCLOSED_OPENER, MISMATCHED_KIND }

    /**
     * One thing wrong with the brackets.
     *
     * @param position the token the problem is marked on (the closer for UNMATCHED_CLOSER and MISMATCHED_KIND)
     * @param otherPosition the opener a MISMATCHED_KIND closer met, else -1
     */
    public record Problem(ProblemKind kind, int position, int otherPosition, String message) {
    }

    private final List<String> tokens;
    private final List<BracketPair> pairs;
    private final int[] depth;
    private final int[] match;
    private final int[] kind;
    private final boolean[] opener;
    private final List<Problem> problems;

    private TokenStructure(List<String> tokens, List<BracketPair> pairs, int[] depth, int[] match, int[] kind,
            boolean[] opener, List<Problem> problems) {
        this.tokens = tokens;
        this.pairs = pairs;
        this.depth = depth;
        this.match = match;
        this.kind = kind;
        this.opener = opener;
        this.problems = problems;
    }

    /** The structure with the default bracket kinds {@code () [] {} <>}. */
    public static TokenStructure of(List<String> tokens) {
        return of(tokens, BracketPair.DEFAULTS);
    }

    public static TokenStructure of(List<String> tokens, List<BracketPair> pairs) {
        List<String> toks = List.copyOf(tokens);
        List<BracketPair> prs = List.copyOf(pairs);
        Map<String, Integer> openKind = new HashMap<>();
        Map<String, List<Integer>> closeKinds = new HashMap<>();
        for (int k = 0; k < prs.size(); k++) {
            BracketPair p = prs.get(k);
            if (openKind.containsKey(p.open()) || closeKinds.containsKey(p.open())) {
                throw new HeadLabException("bracket token '" + p.open() + "' appears in more than one bracket pair");
            }
            if (openKind.containsKey(p.close())) {
                throw new HeadLabException("bracket token '" + p.close() + "' is both an opening and a closing"
                        + " bracket");
            }
            openKind.put(p.open(), k);
            // several openers may share one closer (a generic closer): it closes whichever of them is innermost
            closeKinds.computeIfAbsent(p.close(), c -> new ArrayList<>()).add(k);
        }

        int n = toks.size();
        int[] depth = new int[n];
        int[] match = new int[n];
        int[] kind = new int[n];
        boolean[] opener = new boolean[n];
        Arrays.fill(match, -1);
        Arrays.fill(kind, -1);
        List<Problem> problems = new ArrayList<>();
        Deque<Integer> open = new ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            String t = toks.get(i).strip();
            Integer ok = openKind.get(t);
            List<Integer> ck = closeKinds.get(t);
            if (ok != null) {
                kind[i] = ok;
                opener[i] = true;
                depth[i] = open.size();
                open.push(i);
            } else if (ck != null) {
                kind[i] = ck.get(0);
                if (open.isEmpty()) {
                    depth[i] = 0;
                    problems.add(new Problem(ProblemKind.UNMATCHED_CLOSER, i, -1,
                            "closing '" + t + "' at token " + i + " has no opening bracket"));
                } else {
                    int j = open.pop();
                    depth[i] = open.size();
                    match[i] = j;
                    match[j] = i;
                    if (ck.contains(kind[j])) {
                        kind[i] = kind[j]; // a shared closer takes the kind of the opener it closes
                    } else {
                        problems.add(new Problem(ProblemKind.MISMATCHED_KIND, i, j,
                                "closing '" + t + "' at token " + i + " does not match opening '"
                                        + toks.get(j).strip() + "' at token " + j));
                    }
                }
            } else {
                depth[i] = open.size();
            }
        }
        List<Integer> unclosed = new ArrayList<>(open);
        Collections.reverse(unclosed); // report in reading order
        for (int j : unclosed) {
            problems.add(new Problem(ProblemKind.UNCLOSED_OPENER, j, -1,
                    "opening '" + toks.get(j).strip() + "' at token " + j + " is never closed"));
        }
        problems.sort(Comparator.comparingInt(Problem::position));
        return new TokenStructure(toks, prs, depth, match, kind, opener, List.copyOf(problems));
    }

    public int size() {
        return tokens.size();
    }

    public List<String> tokens() {
        return tokens;
    }

    public List<BracketPair> pairs() {
        return pairs;
    }

    public int depth(int i) {
        return depth[i];
    }

    /** Index of the partner bracket, or -1 for a non-bracket or an unmatched bracket. */
    public int match(int i) {
        return match[i];
    }

    /** Index into {@link #pairs()} of this token's bracket kind, or -1 for a non-bracket. */
    public int kind(int i) {
        return kind[i];
    }

    public boolean isBracket(int i) {
        return kind[i] >= 0;
    }

    public boolean isOpener(int i) {
        return opener[i];
    }

    public boolean isCloser(int i) {
        return kind[i] >= 0 && !opener[i];
    }

    public int[] depths() {
        return depth.clone();
    }

    public int[] matches() {
        return match.clone();
    }

    public int[] kinds() {
        return kind.clone();
    }

    public List<Problem> problems() {
        return problems;
    }

    public boolean isBalanced() {
        return problems.isEmpty();
    }

    /** The most brackets open at once (a Dyck string's depth): 2 for {@code (())}, 0 without brackets. */
    public int maxNesting() {
        int max = 0;
        for (int i = 0; i < depth.length; i++) {
            if (opener[i]) {
                max = Math.max(max, depth[i] + 1);
            }
        }
        return max;
    }

    @Override
    public String toString() {
        return "TokenStructure" + tokens + " depth=" + Arrays.toString(depth) + " match=" + Arrays.toString(match)
                + (problems.isEmpty() ? "" : " problems=" + problems);
    }
}
