package org.headlab.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A timing benchmark, not a test: it records figures for docs/benchmarks.md and asserts nothing about speed. Left
 * out of the test run (tag {@code benchmark}); run with {@code mvn -B -o test -Pbench [-Dtest=Name]}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("benchmark")
@EnabledIfSystemProperty(named = "headlab.bench", matches = "true")
public @interface Benchmark {
}
