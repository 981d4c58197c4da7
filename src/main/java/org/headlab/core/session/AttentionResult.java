package org.headlab.core.session;

import java.util.List;
import org.headlab.core.data.TokenStructure;

/**
 * The attention patterns of every head of one checkpoint on one input, with the input's tokens and bracket
 * structure so that views can label the axes and draw the structure on the map.
 *
 * @param patterns [layer][head][query][key], rows sum to 1 over keys ≤ query
 */
public record AttentionResult(int step, String text, List<String> tokens, int[] tokenIds,
        float[][][][] patterns, TokenStructure structure) {

    public int length() {
        return tokenIds.length;
    }

    public int layers() {
        return patterns.length;
    }

    public int heads() {
        return patterns.length == 0 ? 0 : patterns[0].length;
    }

    public float[][] pattern(int layer, int head) {
        return patterns[layer][head];
    }
}
