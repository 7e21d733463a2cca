package io.streambert.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.broker.EmbeddedKafkaBroker;
import io.streambert.broker.QuietKafkaLogs;
import io.streambert.demo.BundledModel;
import io.streambert.service.StreamBertService;
import io.streambert.service.config.ConfigKeys;
import io.streambert.service.config.ServiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The load generator against the real service on the embedded broker: every event it sends is
 * answered and timed.
 */
class LoadGeneratorIT {

    @Test
    void measuresEveryEventSentToARunningService(@TempDir Path work) throws Exception {
        QuietKafkaLogs.apply();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            ServiceConfig config =
                    ServiceConfig.builder()
                            .set(ConfigKeys.APPLICATION_ID, "loadtest-it")
                            .set(ConfigKeys.BOOTSTRAP_SERVERS, broker.bootstrapServers())
                            .set(
                                    ConfigKeys.MODEL_DIR,
                                    BundledModel.extractTo(work.resolve("model")).toString())
                            .set(ConfigKeys.MODEL_DEVICE, "cpu")
                            .set(ConfigKeys.MODEL_THREADS, "1")
                            .set(ConfigKeys.STATE_DIR, work.resolve("state").toString())
                            .set(ConfigKeys.SCHEDULER_MAX_DELAY_MS, "20")
                            .set(ConfigKeys.HTTP_PORT, "-1")
                            .set(ConfigKeys.PROGRESS_INTERVAL_MS, "0")
                            .build();
            broker.createTopics(
                    Map.of(
                            config.topics().inputs().get(0),
                            2,
                            config.topics().moderation(),
                            2,
                            config.topics().embedding(),
                            2,
                            config.topics().deadLetter(),
                            1));
            try (StreamBertService service = StreamBertService.start(config)) {
                assertTrue(service.awaitReady(Duration.ofSeconds(60)), "service ready");
                LoadGenerator generator = new LoadGenerator();
                new CommandLine(generator)
                        .parseArgs(
                                "--bootstrap",
                                broker.bootstrapServers(),
                                "--topic",
                                config.topics().inputs().get(0),
                                "--results-topic",
                                config.topics().moderation(),
                                "--rate",
                                "20",
                                "--count",
                                "40",
                                "--lengths",
                                "4,16",
                                "--max-seconds",
                                "90");
                LoadReport report = generator.run();
                report.print(System.out);
                assertEquals(40, report.sent());
                assertEquals(0, report.missing(), "every event answered");
                assertEquals(0, report.duplicates());
                assertEquals(40, report.endToEnd().count());
                assertEquals(40, report.inference().count());
                assertTrue(report.endToEnd().percentile(50) > 0, "end-to-end latency is positive");
                assertTrue(report.endToEnd().percentile(99) >= report.endToEnd().percentile(50));
                assertTrue(report.throughput() > 0);
            }
        }
    }
}
