package io.streambert.cli;

import io.streambert.demo.DemoRun;
import io.streambert.demo.DemoSummary;
import io.streambert.demo.LocalBroker;
import io.streambert.service.StreamBertService;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * bin/streambert demo: the whole pipeline in one process (embedded KRaft broker, the service with
 * the bundled tiny model, a producer of sample events, a consumer printing results), then a
 * summary.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Embedded broker + service + bundled model + sample events, results printed.",
            "Exits 0 once every sample event's results (and the bad ones' dead letters) arrived."
        })
public final class DemoCommand implements Callable<Integer> {

    @Option(
            names = "--seconds",
            paramLabel = "N",
            description = "Stop after N seconds even if results are missing (default: 180).")
    Integer seconds;

    @Option(
            names = "--follow",
            description = "Keep printing outputs after the samples are done, until Ctrl-C.")
    boolean follow;

    @Option(names = "--verbose", description = "Show the service's and Kafka's INFO logs.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (seconds != null && seconds < 1)
            throw new IllegalArgumentException("--seconds must be at least 1, got " + seconds);
        if (!verbose) {
            LocalBroker.quietKafkaLogs();
            quiet("io.streambert", "warn");
            // Expected on a machine without a GPU or on a fresh temp dir: not worth a warning in a
            // demo.
            quiet("ai.djl", "error");
            quiet("org.apache.kafka.controller.QuorumController", "error");
            quiet("org.apache.kafka.streams.processor.internals.StateDirectory", "error");
            quiet("org.apache.kafka.clients.NetworkClient", "error");
            // CONCURRENT_TRANSACTIONS retries: normal under exactly-once with a 100 ms commit
            // interval.
            quiet("org.apache.kafka.clients.producer.internals.Sender", "error");
        }
        DemoRun.Options options =
                new DemoRun.Options(
                        seconds == null ? null : Duration.ofSeconds(seconds),
                        follow,
                        Duration.ofMillis(150));
        DemoRun demo =
                new DemoRun(
                        options,
                        (config, encoder) -> {
                            StreamBertService service = StreamBertService.start(config, encoder);
                            if (!service.awaitReady(Duration.ofSeconds(60))) {
                                service.close();
                                throw new IllegalStateException(
                                        "the service did not become ready within 60 s (state "
                                                + service.state()
                                                + ")");
                            }
                            return service;
                        },
                        System.out);
        // Ctrl-C ends the watch loop; DemoRun then closes the service and the broker, and the hook
        // waits for
        // that. (It waits on a latch, not on the main thread: after call() returns, main blocks in
        // System.exit.)
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook =
                new Thread(
                        () -> {
                            demo.stop();
                            try {
                                finished.await(60, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        DemoSummary summary;
        try {
            summary = demo.run();
        } finally {
            finished.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is already running.
        }
        return summary.complete() || follow ? 0 : 1;
    }

    private static void quiet(String logger, String level) {
        String key = "org.slf4j.simpleLogger.log." + logger;
        if (System.getProperty(key) == null) System.setProperty(key, level);
    }
}
