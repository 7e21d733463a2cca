package io.streambert.cli;

import io.streambert.service.StreamBertService;
import io.streambert.service.config.ServiceConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * bin/streambert run --config FILE: the service against any Kafka cluster, until SIGTERM / Ctrl-C.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run the service against a Kafka cluster.",
            "Settings come from the properties file, then STREAMBERT_* environment variables",
            "(STREAMBERT_BOOTSTRAP_SERVERS, STREAMBERT_MODEL_DIR, STREAMBERT_KAFKA_SECURITY_PROTOCOL, ...);",
            "see deploy/streambert.properties and docs/SERVICE.md."
        })
public final class RunCommand implements Callable<Integer> {

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description =
                    "Properties file (default: $STREAMBERT_CONFIG, else environment variables only).")
    Path config;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Override one setting (after file and environment); repeatable.")
    Map<String, String> overrides = Map.of();

    @Override
    public Integer call() throws Exception {
        serviceLogging();
        Path file = config;
        if (file == null && System.getenv("STREAMBERT_CONFIG") != null)
            file = Path.of(System.getenv("STREAMBERT_CONFIG"));
        ServiceConfig.Builder b = ServiceConfig.builder(file, System.getenv());
        overrides.forEach((k, v) -> b.set(k, v, "--set"));
        ServiceConfig c = b.build();

        CountDownLatch stopped = new CountDownLatch(1);
        StreamBertService service = StreamBertService.start(c);
        Runtime.getRuntime()
                .addShutdownHook(
                        Thread.ofPlatform()
                                .name("streambert-shutdown")
                                .unstarted(
                                        () -> {
                                            service.close();
                                            stopped.countDown();
                                        }));
        // Exit non-zero if the streams client dies for good (e.g. a fatal error), so the
        // orchestrator restarts us.
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            KafkaStreams.State s = service.state();
            if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.NOT_RUNNING) {
                System.err.println(
                        "streambert run: kafka streams stopped in state " + s + "; exiting");
                service.close();
                return 1;
            }
        }
        return 0;
    }

    /**
     * A service log: timestamps, thread names, our INFO lines (progress every 10 s), Kafka's own
     * chatter (config dumps, rebalances in detail) at WARN. Any -Dorg.slf4j.simpleLogger.* given
     * explicitly wins.
     */
    private static void serviceLogging() {
        String p = "org.slf4j.simpleLogger.";
        if (System.getProperty(p + "showDateTime") == null) {
            System.setProperty(p + "showDateTime", "true");
            System.setProperty(p + "dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        }
        for (String noisy : new String[] {"org.apache.kafka", "kafka"})
            if (System.getProperty(p + "log." + noisy) == null)
                System.setProperty(p + "log." + noisy, "warn");
    }
}
