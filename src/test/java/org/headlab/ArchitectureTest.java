package org.headlab;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The layering rules of architecture.md, held by tests so that nobody has to remember them. */
@AnalyzeClasses(packages = "org.headlab", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule coreHasNoJavaFx = noClasses().that().resideInAPackage("org.headlab.core..")
            .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.controlsfx..")
            .because("core runs headless in the CLI and in batch sweeps");

    @ArchTest
    static final ArchRule trainHasNoJavaFx = noClasses().that().resideInAPackage("org.headlab.train..")
            .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.controlsfx..")
            .because("training runs headless")
            .allowEmptyShould(true); // the trainer arrives with the sample-runs issue

    @ArchTest
    static final ArchRule coreDoesNotKnowItsUsers = noClasses().that().resideInAPackage("org.headlab.core..")
            .should().dependOnClassesThat().resideInAnyPackage("org.headlab.ui..", "org.headlab.cli..",
                    "org.headlab.train..", "org.headlab.spark..")
            .because("core is the bottom layer");

    @ArchTest
    static final ArchRule cliHasNoJavaFx = noClasses().that().resideInAPackage("org.headlab.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("javafx..", "org.headlab.ui..")
            .because("the CLI must work on a machine without a display");

    @ArchTest
    static final ArchRule uiDoesNotUseCli = noClasses().that().resideInAPackage("org.headlab.ui..")
            .should().dependOnClassesThat().resideInAnyPackage("org.headlab.cli..")
            .because("the GUI and the CLI are siblings over core");

    @ArchTest
    static final ArchRule viewModelsDoNotTouchControls = noClasses().that().haveSimpleNameEndingWith("ViewModel")
            .should().dependOnClassesThat().resideInAnyPackage("javafx.scene..", "org.controlsfx..")
            .because("ViewModels are tested without a window; only Views touch controls");

    @ArchTest
    static final ArchRule onlyJobsMakeThreads = noClasses().that().resideOutsideOfPackage("org.headlab.core.jobs..")
            // the launcher's shutdown hook that stops its child JVM is no worker
            .and().doNotHaveFullyQualifiedName("org.headlab.NativeAllocator")
            .should().callConstructor(Thread.class)
            .orShould().callConstructor(Thread.class, Runnable.class)
            .orShould().callConstructor(Thread.class, Runnable.class, String.class)
            .orShould().callMethod(java.util.concurrent.Executors.class, "newFixedThreadPool", int.class)
            .orShould().callMethod(java.util.concurrent.Executors.class, "newCachedThreadPool")
            .orShould().callMethod(java.util.concurrent.Executors.class, "newSingleThreadExecutor")
            .because("only the job engine creates threads (architecture.md)");

    @ArchTest
    static final ArchRule coreHasNoPackageCycles = slices().matching("org.headlab.core.(*)..").should()
            .beFreeOfCycles().because("each room of core can be read, tested and replaced on its own (issue 15)");

    @ArchTest
    static final ArchRule headPathIsTheRllcsOwn = noClasses().that().resideOutsideOfPackages(
            "org.headlab.core.model..", "org.headlab.core.estimate.llc..", "org.headlab.core.estimate.curvature..")
            .should().dependOnClassesThat().haveFullyQualifiedName("org.headlab.core.model.HeadPath")
            .because("the head-restricted fast path is the collaborator of the model for the estimators that"
                    + " differentiate one head many times (the rLLC's SGLD, the curvature's Hessian-vector products),"
                    + " not a second model API (issue 15, ADR 0008)");

    @ArchTest
    static final ArchRule onlyTheSparkEngineKnowsSpark = noClasses().that().resideOutsideOfPackage("org.headlab.spark..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "scala..")
            .because("Spark is on the class path only of headlab-spark.jar (ADR 0013): the desktop must load without it");

    @ArchTest
    static final ArchRule sparksLibrariesStayWithSpark = noClasses().that().resideOutsideOfPackage("org.headlab.spark..")
            .should().dependOnClassesThat().resideInAnyPackage("org.sparkproject..", "org.apache.hadoop..",
                    "io.netty..", "com.google.common..", "org.apache.commons.lang3..", "org.apache.commons.text..",
                    "org.json4s..", "org.apache.logging.log4j..", "org.apache.zookeeper..", "org.glassfish..",
                    "com.esotericsoftware..", "org.apache.avro..")
            .because("they are on the compile class path only as Spark's (provided scope): the desktop would fail"
                    + " with NoClassDefFoundError where the tests pass");

    @ArchTest
    static final ArchRule onlyTheCliStartsTheSparkEngine = noClasses().that().resideOutsideOfPackages(
            "org.headlab.spark..", "org.headlab.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("org.headlab.spark..")
            .because("the CLI's sweep --engine spark is the one way in, after checking that Spark is there");

    @ArchTest
    static final ArchRule sparkEngineIsAboveCore = noClasses().that().resideInAPackage("org.headlab.spark..")
            .should().dependOnClassesThat().resideInAnyPackage("org.headlab.ui..", "org.headlab.cli..", "javafx..")
            .because("executors run core's estimators and draw nothing");
}
