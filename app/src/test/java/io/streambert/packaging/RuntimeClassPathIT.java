package io.streambert.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packaged application as bin/streambert and deploy/Dockerfile use it (after {@code package}):
 * the runtime of {@code run}, {@code infer} and {@code bench} ({@code target/lib} and the jar's
 * Class-Path, the only folder the Docker image copies) carries no Kafka broker, and the broker
 * lives in {@code target/lib-demo}, which bin/streambert adds for {@code demo} and {@code broker}
 * only.
 */
class RuntimeClassPathIT {
    /** Jars only a broker needs: ours, Kafka's server side, and the Scala runtime it runs on. */
    private static final Pattern BROKER_JAR =
            Pattern.compile(
                    "(streambert-broker|kafka_2\\.\\d+|kafka-server|kafka-server-common|kafka-raft"
                            + "|kafka-metadata|kafka-storage|kafka-storage-api|kafka-coordinator-common"
                            + "|kafka-group-coordinator|kafka-group-coordinator-api"
                            + "|kafka-share-coordinator|kafka-transaction-coordinator|kafka-tools-api"
                            + "|scala-library|scala-reflect)-\\d.*\\.jar");

    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final Path JAR = TARGET.resolve("streambert.jar");

    @Test
    void theRuntimeLibFolderHasNoBrokerJar() throws Exception {
        List<String> lib = names(TARGET.resolve("lib"));
        assertTrue(lib.stream().anyMatch(j -> j.startsWith("kafka-streams-")), "lib: " + lib);
        assertEquals(List.of(), lib.stream().filter(BROKER_JAR.asMatchPredicate()).toList());
    }

    @Test
    void theJarsClassPathNamesNoBrokerJar() throws Exception {
        Manifest manifest;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            manifest = jar.getManifest();
        }
        List<String> classPath =
                Arrays.stream(manifest.getMainAttributes().getValue("Class-Path").split(" "))
                        .map(e -> e.substring(e.lastIndexOf('/') + 1))
                        .toList();
        assertTrue(
                classPath.stream().anyMatch(j -> j.startsWith("kafka-clients-")), "" + classPath);
        assertEquals(List.of(), classPath.stream().filter(BROKER_JAR.asMatchPredicate()).toList());
    }

    @Test
    void theDemoFolderHoldsTheBrokerAndNothingTheRuntimeAlreadyHas() throws Exception {
        List<String> demo = names(TARGET.resolve("lib-demo"));
        List<String> lib = names(TARGET.resolve("lib"));
        for (String needed :
                List.of("streambert-broker-", "kafka_2.13-", "kafka-server-", "kafka-raft-"))
            assertTrue(demo.stream().anyMatch(j -> j.startsWith(needed)), needed + " in " + demo);
        assertEquals(List.of(), demo.stream().filter(lib::contains).toList());
    }

    @Test
    void withoutTheDemoFolderEveryCommandLoadsAndTheBrokerSaysWhatIsMissing() throws Exception {
        // picocli reflects on every subcommand class when the CLI starts: this fails with
        // NoClassDefFoundError if a command's fields or methods name a broker type.
        Result help = launch("-jar", JAR.toString(), "infer", "--help");
        assertEquals(0, help.exit(), help.output());
        assertTrue(help.output().contains("--model"), help.output());

        Result broker = launch("-jar", JAR.toString(), "broker", "--port", "1");
        assertEquals(2, broker.exit(), broker.output());
        assertTrue(
                broker.output().contains("not on the class path")
                        && broker.output().contains("app/target/lib-demo"),
                broker.output());
    }

    private record Result(int exit, String output) {}

    private static Result launch(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.addAll(Arrays.asList(System.getProperty("streambert.jvm.flags").split(" ")));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "did not exit: " + cmd);
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static List<String> names(Path dir) throws Exception {
        assertTrue(Files.isDirectory(dir), dir + " is missing: run the package phase first");
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
