package io.streambert.cli;

import io.streambert.demo.LocalBroker;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** bin/streambert broker: a single-node KRaft Kafka broker in this process, until Ctrl-C. */
@Command(
        name = "broker",
        mixinStandardHelpOptions = true,
        description = "A single-node KRaft broker in this process (127.0.0.1 only), until Ctrl-C.")
public final class BrokerCommand implements Callable<Integer> {

    @Option(
            names = "--port",
            paramLabel = "N",
            description = "Client port on 127.0.0.1 (default: a free port).")
    int port;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description =
                    "Data directory, kept after exit so a restart finds its topics "
                            + "(default: a temporary directory, deleted on exit).")
    Path dir;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535)
            throw new IllegalArgumentException("--port must be 0..65535, got " + port);
        LocalBroker.quietKafkaLogs();
        LocalBroker broker = LocalBroker.start(port, dir);
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C runs the hooks: close the broker cleanly (and delete a temporary dir) before the
        // JVM exits.
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    System.out.println("streambert broker: stopping");
                                    broker.close();
                                    stopped.countDown();
                                },
                                "broker-shutdown"));
        System.out.println("streambert broker: Kafka 4.2 KRaft broker running");
        System.out.println("bootstrap.servers=" + broker.bootstrapServers());
        System.out.println(
                "data directory: " + broker.logDir() + (dir == null ? " (temporary)" : ""));
        System.out.println("Ctrl-C to stop.");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
