package org.headlab;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import org.headlab.testing.Benchmark;

/** Rules of the test tree: timing benchmarks stay out of the test run. */
@AnalyzeClasses(packages = "org.headlab", importOptions = ImportOption.OnlyIncludeTests.class)
class TestTreeRulesTest {

    @ArchTest
    static final ArchRule benchmarksAreTaggedOutOfTheTestRun = classes().that().haveSimpleNameEndingWith(
            "BenchmarkTest").or().haveSimpleNameEndingWith("TimingTest").should().beAnnotatedWith(Benchmark.class)
            .because("a benchmark records figures and asserts nothing about speed: it runs with -Pbench, not in"
                    + " the tests (issue 15)");
}
