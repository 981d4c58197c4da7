package org.headlab.core.estimate;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.headlab.core.Json;

/**
 * A complete, validated set of parameter values (defaults filled in). Its {@link #canonicalJson()} is part of the
 * result key: keys sorted, no whitespace, integers as integers, reals as Java's shortest round-trip form, -0.0 as
 * 0.0; so "lr=1e-4", "lr=0.0001" and leaving a parameter at its default all give the same key, and any real
 * change of a value gives a new one.
 */
public final class Params {
    private final SortedMap<String, Object> values;
    private final String canonical;

    Params(Map<String, Object> values) {
        this(values, java.util.Set.of());
    }

    /** {@code unkeyed}: parameters at their default that stay out of the key (Parameter#keyedOnlyWhenChanged). */
    Params(Map<String, Object> values, java.util.Set<String> unkeyed) {
        this.values = Collections.unmodifiableSortedMap(new TreeMap<>(values));
        TreeMap<String, Object> keyed = new TreeMap<>(values);
        keyed.keySet().removeAll(unkeyed);
        try {
            this.canonical = Json.mapper().writeValueAsString(keyed);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // only numbers, booleans and strings: cannot happen
        }
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Parameter<T> p) {
        Object v = values.get(p.name());
        if (v == null) {
            throw new IllegalArgumentException("parameter '" + p.name() + "' is not in this set");
        }
        return (T) v;
    }

    public SortedMap<String, Object> asMap() {
        return values;
    }

    public String canonicalJson() {
        return canonical;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Params p && canonical.equals(p.canonical);
    }

    @Override
    public int hashCode() {
        return canonical.hashCode();
    }

    @Override
    public String toString() {
        return canonical;
    }
}
