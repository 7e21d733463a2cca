package io.streambert.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.cli.StreamBertCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/streambert broker} as a user runs it: a separate JVM on the packaged class path that
 * prints its bootstrap address, serves clients, and on SIGTERM (Ctrl-C does the same) closes the
 * broker and deletes its temporary directory.
 */
class BrokerCommandIT {

    @Test
    void printsTheBootstrapAddressServesClientsAndCleansUpOnSigterm(@TempDir Path work)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        // The packaged layout bin/streambert launches: the jar (its Class-Path: target/lib) plus
        // target/lib-demo, the broker's own folder.
        cmd.add("-cp");
        cmd.add(
                Path.of("target", "streambert.jar").toAbsolutePath()
                        + java.io.File.pathSeparator
                        + Path.of("target", "lib-demo").toAbsolutePath()
                        + "/*");
        cmd.add(StreamBertCli.class.getName());
        cmd.add("broker");
        Path log = work.resolve("broker.out");
        Process p =
                new ProcessBuilder(cmd)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .redirectOutput(log.toFile())
                        .start();
        try {
            String bootstrap = awaitLine(p, log, "bootstrap.servers=");
            Path dataDir =
                    Path.of(awaitLine(p, log, "data directory: ").replace(" (temporary)", ""));
            assertTrue(bootstrap.startsWith("127.0.0.1:"), bootstrap);
            assertTrue(Files.isDirectory(dataDir), dataDir.toString());

            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (Admin admin = Admin.create(props)) {
                admin.createTopics(List.of(new NewTopic("from-cli", 3, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
                assertEquals(
                        3,
                        admin.describeTopics(List.of("from-cli"))
                                .allTopicNames()
                                .get(30, TimeUnit.SECONDS)
                                .get("from-cli")
                                .partitions()
                                .size());
            }

            p.destroy(); // SIGTERM, as Ctrl-C: the shutdown hook closes the broker
            assertTrue(p.waitFor(Duration.ofSeconds(60)), "broker did not exit after SIGTERM");
            assertTrue(Files.readString(log).contains("stopping"), Files.readString(log));
            assertFalse(Files.exists(dataDir), "temporary directory left behind: " + dataDir);
        } finally {
            p.destroyForcibly();
        }
    }

    // The rest of the first output line that starts with `prefix`; fails if the process dies or 90
    // s pass.
    private static String awaitLine(Process p, Path log, String prefix) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.startsWith(prefix)) return line.substring(prefix.length());
            }
            assertTrue(
                    p.isAlive(),
                    "broker exited early with "
                            + (p.isAlive() ? "" : p.exitValue())
                            + ": "
                            + Files.readString(log));
            Thread.sleep(100);
        }
        throw new AssertionError(
                "no line starting with '" + prefix + "' within 90 s: " + Files.readString(log));
    }
}
