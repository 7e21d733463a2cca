package io.streambert.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package structure of the production code of every module on this class path (schemas, engine,
 * gpu, streams, broker, app): no cycles between packages, and the module boundaries the layout
 * promises. Test code (test-classes and test-jars) is left out.
 */
class ArchitectureTest {
    private static JavaClasses production;

    /** Leaves out test classes, whether from a test-classes folder or from a module's test-jar. */
    private static final ImportOption NO_TESTS =
            (Location l) -> !l.contains("/test-classes/") && !l.contains("-tests.jar");

    @BeforeAll
    static void importClasses() {
        production =
                new ClassFileImporter().withImportOption(NO_TESTS).importPackages("io.streambert");
        for (String pkg :
                new String[] {
                    "io.streambert.engine",
                    "io.streambert.gpu.encoder",
                    "io.streambert.service",
                    "io.streambert.broker",
                    "io.streambert.cli",
                    "io.streambert.serde"
                }) {
            assertTrue(
                    production.containPackage(pkg),
                    "the import must see package " + pkg + ", or this test checks nothing");
        }
    }

    @Test
    void noCyclesBetweenPackages() {
        slices().matching("io.streambert.(**)").should().beFreeOfCycles().check(production);
    }

    @Test
    void theEngineKnowsNoBackendOutsideItselfAndNoKafka() {
        noClasses()
                .that()
                .resideInAPackage("io.streambert.engine..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.streambert.gpu..",
                        "io.streambert.service..",
                        "io.streambert.cli..",
                        "io.streambert.broker..",
                        "org.apache.kafka..",
                        "jcuda..")
                .check(production);
    }

    @Test
    void theServiceCarriesNoBrokerAndNoBackend() {
        noClasses()
                .that()
                .resideInAPackage("io.streambert.service..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.streambert.broker..",
                        "io.streambert.cli..",
                        "io.streambert.demo..",
                        "io.streambert.gpu..",
                        "kafka..",
                        "org.apache.kafka.server..",
                        "org.apache.kafka.metadata..",
                        "org.apache.kafka.raft..")
                .check(production);
    }

    /**
     * run/infer/bench start with no broker on the class path (app/target/lib-demo is added for demo
     * and broker only): one adapter, reached through the LocalBroker interface, names the broker.
     */
    @Test
    void onlyTheLocalBrokerAdapterNamesTheBroker() {
        noClasses()
                .that()
                .resideOutsideOfPackage("io.streambert.broker..")
                .and()
                .doNotHaveFullyQualifiedName("io.streambert.demo.EmbeddedLocalBroker")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.streambert.broker..",
                        "kafka..",
                        "org.apache.kafka.server..",
                        "org.apache.kafka.metadata..",
                        "org.apache.kafka.raft..",
                        "scala..")
                .check(production);
    }

    @Test
    void theGpuBackendKnowsNoServiceAndNoCli() {
        noClasses()
                .that()
                .resideInAPackage("io.streambert.gpu..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.streambert.service..",
                        "io.streambert.cli..",
                        "io.streambert.broker..",
                        "org.apache.kafka..")
                .check(production);
    }
}
