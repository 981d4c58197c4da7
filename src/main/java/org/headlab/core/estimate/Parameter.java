package org.headlab.core.estimate;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.headlab.core.HeadLabException;

/**
 * One typed, bounded estimator parameter with a default (JMC's TypedPreference, smaller). Values arrive as text
 * (CLI {@code -p llc.num_chains=8}, a GUI property sheet) or as JSON/Java values, and are checked here, so an
 * estimator only ever sees valid values.
 */
public final class Parameter<T> {
    enum Kind { INTEGER, REAL, BOOLEAN, CHOICE }

    private final String name;
    private final Kind kind;
    private final T defaultValue;
    private final double min;
    private final double max;
    private final List<String> choices;
    private final String description;
    private boolean keyedOnlyWhenChanged;

    private Parameter(String name, Kind kind, T defaultValue, double min, double max, List<String> choices,
            String description) {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("parameter names are snake_case: '" + name + "'");
        }
        this.name = name;
        this.kind = kind;
        this.defaultValue = Objects.requireNonNull(defaultValue);
        this.min = min;
        this.max = max;
        this.choices = choices;
        this.description = description;
        check(defaultValue); // a bad default is a bug in the estimator
    }

    public static Parameter<Integer> integer(String name, int defaultValue, int min, int max, String description) {
        return new Parameter<>(name, Kind.INTEGER, defaultValue, min, max, List.of(), description);
    }

    public static Parameter<Double> real(String name, double defaultValue, double min, double max,
            String description) {
        return new Parameter<>(name, Kind.REAL, defaultValue, min, max, List.of(), description);
    }

    public static Parameter<Boolean> bool(String name, boolean defaultValue, String description) {
        return new Parameter<>(name, Kind.BOOLEAN, defaultValue, 0, 0, List.of(), description);
    }

    public static Parameter<String> choice(String name, String defaultValue, List<String> choices,
            String description) {
        return new Parameter<>(name, Kind.CHOICE, defaultValue, 0, 0, List.copyOf(choices), description);
    }

    /**
     * This parameter at its default is left out of the result key ({@link Params#canonicalJson()}): for a parameter
     * added to an estimator after results were stored, so those results keep matching the tasks that would compute
     * them again (e.g. the rLLC's {@code sampler}, whose default {@code sgld} is what they were computed with).
     */
    public Parameter<T> keyedOnlyWhenChanged() {
        Parameter<T> p = new Parameter<>(name, kind, defaultValue, min, max, choices, description);
        p.keyedOnlyWhenChanged = true;
        return p;
    }

    boolean isKeyedOnlyWhenChanged() {
        return keyedOnlyWhenChanged;
    }

    public String name() {
        return name;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** "integer 0..100000", "one of zero|mean|resample", ... for help texts and error messages. */
    public String describeType() {
        return switch (kind) {
            case INTEGER -> "an integer in " + (long) min + ".." + (long) max;
            case REAL -> "a number in " + min + ".." + max;
            case BOOLEAN -> "true or false";
            case CHOICE -> "one of " + String.join("|", choices);
        };
    }

    /** Parses a value written as text. */
    public T parse(String text) {
        String t = text.trim();
        Object v;
        try {
            v = switch (kind) {
                case INTEGER -> Integer.valueOf(t);
                case REAL -> Double.valueOf(t);
                case BOOLEAN -> switch (t.toLowerCase(Locale.ROOT)) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> throw new NumberFormatException();
                };
                case CHOICE -> t;
            };
        } catch (NumberFormatException e) {
            throw new HeadLabException("parameter '" + name + "' = '" + text + "' must be " + describeType());
        }
        return check(v);
    }

    /** Accepts a Java value (an Integer for an integer parameter, any Number for a real one, ...). */
    public T coerce(Object value) {
        Object v = value;
        if (kind == Kind.REAL && value instanceof Number n) {
            v = n.doubleValue();
        } else if (kind == Kind.INTEGER && (value instanceof Long || value instanceof Short)) {
            long l = ((Number) value).longValue();
            if (l != (int) l) {
                throw new HeadLabException("parameter '" + name + "' = " + value + " must be " + describeType());
            }
            v = (int) l;
        } else if (value instanceof String s && kind != Kind.CHOICE) {
            return parse(s);
        }
        return check(v);
    }

    @SuppressWarnings("unchecked")
    private T check(Object v) {
        String bad = switch (kind) {
            case INTEGER -> v instanceof Integer i && i >= min && i <= max ? null : "";
            case REAL -> v instanceof Double d && Double.isFinite(d) && d >= min && d <= max ? null : "";
            case BOOLEAN -> v instanceof Boolean ? null : "";
            case CHOICE -> v instanceof String s && choices.contains(s) ? null : "";
        };
        if (bad != null) {
            throw new HeadLabException("parameter '" + name + "' = " + v + " must be " + describeType());
        }
        if (kind == Kind.REAL && (Double) v == 0.0) {
            v = 0.0; // -0.0 and 0.0 are one value, and one key
        }
        return (T) v;
    }
}
