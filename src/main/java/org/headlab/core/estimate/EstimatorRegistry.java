package org.headlab.core.estimate;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.headlab.core.HeadLabException;

/** The estimators available, by id (JMC's RuleRegistry): found with ServiceLoader, or given explicitly. */
public final class EstimatorRegistry {
    private final Map<String, Estimator> byId;

    private EstimatorRegistry(Collection<? extends Estimator> estimators) {
        Map<String, Estimator> m = new TreeMap<>();
        for (Estimator e : estimators) {
            if (!e.id().matches("[a-z][a-z0-9_]*")) {
                throw new IllegalStateException("estimator ids are snake_case: '" + e.id() + "'");
            }
            if (m.put(e.id(), e) != null) {
                throw new IllegalStateException("two estimators have the id '" + e.id() + "'");
            }
        }
        this.byId = Collections.unmodifiableMap(m);
    }

    /** Every estimator on the classpath. */
    public static EstimatorRegistry standard() {
        return new EstimatorRegistry(ServiceLoader.load(Estimator.class, Estimator.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).toList());
    }

    public static EstimatorRegistry of(Estimator... estimators) {
        return new EstimatorRegistry(List.of(estimators));
    }

    public Collection<Estimator> all() {
        return byId.values();
    }

    public Estimator get(String id) {
        Estimator e = byId.get(id);
        if (e == null) {
            throw new HeadLabException("unknown estimator '" + id + "' (available: " + String.join(", ", byId.keySet())
                    + ")");
        }
        return e;
    }
}
