package org.headlab.core.estimate;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.headlab.core.HeadLabException;

/** The parameters an estimator declares, by name. */
public final class ParameterSet {
    private final Map<String, Parameter<?>> byName;

    private ParameterSet(Map<String, Parameter<?>> byName) {
        this.byName = byName;
    }

    public static ParameterSet of(Parameter<?>... parameters) {
        Map<String, Parameter<?>> m = new LinkedHashMap<>();
        for (Parameter<?> p : parameters) {
            if (m.put(p.name(), p) != null) {
                throw new IllegalArgumentException("parameter '" + p.name() + "' declared twice");
            }
        }
        return new ParameterSet(m);
    }

    public static ParameterSet none() {
        return of();
    }

    public Collection<Parameter<?>> all() {
        return byName.values();
    }

    /** Every parameter at its default. */
    public Params defaults() {
        return values(Map.of());
    }

    /** Text values by name (from the CLI or a form); missing ones take their default, unknown names are refused. */
    public Params parse(Map<String, String> text) {
        Map<String, Object> values = new TreeMap<>();
        text.forEach((k, v) -> values.put(k, parameter(k).parse(v)));
        return values(values);
    }

    /** Java values by name; missing ones take their default, unknown names are refused. */
    public Params values(Map<String, ?> given) {
        Map<String, Object> out = new TreeMap<>();
        for (String name : given.keySet()) {
            parameter(name);
        }
        java.util.Set<String> unkeyed = new java.util.TreeSet<>();
        for (Parameter<?> p : byName.values()) {
            Object v = given.get(p.name());
            Object value = v == null ? p.defaultValue() : p.coerce(v);
            out.put(p.name(), value);
            if (p.isKeyedOnlyWhenChanged() && value.equals(p.defaultValue())) {
                unkeyed.add(p.name());
            }
        }
        return new Params(out, unkeyed);
    }

    private Parameter<?> parameter(String name) {
        Parameter<?> p = byName.get(name);
        if (p == null) {
            throw new HeadLabException("unknown parameter '" + name + "' (known: "
                    + (byName.isEmpty() ? "none" : String.join(", ", byName.keySet())) + ")");
        }
        return p;
    }
}
