package org.headlab.core.labels;

import java.util.List;
import java.util.Locale;
import org.headlab.core.HeadLabException;

/**
 * A kind of head a label can name: the seven built-ins (keys 1–7 in the workbench, in this order) or a class the
 * user added to a run. Colours are {@code #rrggbb} so that core stays free of JavaFX and files stay readable.
 *
 * @param id the stable name written into labels.json ({@code previous-token}, or a user's {@code my-class})
 * @param displayName what the UI and the CLI show
 * @param color {@code #rrggbb}
 */
public record LabelClass(String id, String displayName, String color) {
    public static final LabelClass PREVIOUS_TOKEN = new LabelClass("previous-token", "Previous token", "#1f77b4");
    public static final LabelClass CURRENT_TOKEN = new LabelClass("current-token", "Current token", "#9467bd");
    public static final LabelClass INDUCTION = new LabelClass("induction", "Induction", "#d62728");
    public static final LabelClass MULTIGRAM = new LabelClass("multigram", "Multigram", "#8c564b");
    public static final LabelClass BRACKET_MATCHING = new LabelClass("bracket-matching", "Bracket matching", "#2ca02c");
    public static final LabelClass POSITIONAL = new LabelClass("positional", "Positional", "#ff7f0e");
    public static final LabelClass OTHER = new LabelClass("other", "Other", "#7f7f7f");

    /** The built-ins, in the order of the number keys 1–7. */
    public static final List<LabelClass> BUILT_INS = List.of(PREVIOUS_TOKEN, CURRENT_TOKEN, INDUCTION, MULTIGRAM,
            BRACKET_MATCHING, POSITIONAL, OTHER);

    public LabelClass {
        if (id == null || !id.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new HeadLabException("class id '" + id + "' must be lower-case letters, digits, '-' or '_'");
        }
        if (displayName == null || displayName.isBlank()) {
            displayName = id;
        }
        if (color == null || !color.matches("#[0-9a-fA-F]{6}")) {
            throw new HeadLabException("class '" + id + "': colour '" + color + "' must be written #rrggbb");
        }
        color = color.toLowerCase(Locale.ROOT);
    }

    /** A user class from a display name: the id is the name in lower case with dashes. */
    public static LabelClass user(String displayName, String color) {
        String id = displayName == null ? "" : displayName.trim().toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_-]+", "-").replaceAll("^-+|-+$", "");
        return new LabelClass(id, displayName == null ? null : displayName.trim(), color);
    }

    public boolean isBuiltIn() {
        return BUILT_INS.stream().anyMatch(c -> c.id.equals(id));
    }
}
