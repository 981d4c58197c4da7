package org.headlab.core.data;

import java.util.List;
import org.headlab.core.HeadLabException;

/** One kind of bracket: the token that opens it and the token that closes it. */
public record BracketPair(String open, String close) {

    /** The four kinds HeadLab draws by default, in this order: {@code () [] {} <>}. */
    public static final List<BracketPair> DEFAULTS = List.of(
            new BracketPair("(", ")"), new BracketPair("[", "]"),
            new BracketPair("{", "}"), new BracketPair("<", ">"));

    public BracketPair {
        // the pairs may come from a settings field, so a bad one is the user's error, not a bug
        if (open == null || close == null || open.isEmpty() || close.isEmpty()) {
            throw new HeadLabException("a bracket pair needs a non-empty opening and closing token");
        }
        if (open.equals(close)) {
            throw new HeadLabException("bracket pair '" + open + "' opens and closes with the same token;"
                    + " use two different tokens");
        }
    }

    @Override
    public String toString() {
        return open + close;
    }
}
