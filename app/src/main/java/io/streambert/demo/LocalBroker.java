package io.streambert.demo;

import java.nio.file.Path;
import java.util.Map;

/**
 * The in-process Kafka broker as {@code bin/streambert demo} and {@code bin/streambert broker} see
 * it. The broker (module broker and Kafka's server, raft and metadata jars) is not on the class
 * path of {@code run}, {@code infer} or {@code bench}, nor in the Docker image: the build copies it
 * into {@code app/target/lib-demo}, which bin/streambert adds for {@code demo} and {@code broker}
 * only. This interface keeps every other class free of the broker's types; {@link #start} says
 * plainly when the broker is missing.
 */
public interface LocalBroker extends AutoCloseable {

    /** {@code host:port} for {@code bootstrap.servers}. */
    String bootstrapServers();

    /** Where the broker keeps its data. */
    Path logDir();

    /** Creates topics with the given partition counts (replication 1); existing ones are kept. */
    void createTopics(Map<String, Integer> partitionsByTopic);

    /** Stops the broker; deletes its directory when it was a temporary one. Idempotent. */
    @Override
    void close();

    /**
     * Starts a single-node KRaft broker on 127.0.0.1.
     *
     * @param port client port, 0 for a free one
     * @param dir data directory kept after close, or null for a temporary one deleted on close
     * @throws IllegalStateException naming the missing folder when the broker is not on the class
     *     path
     */
    static LocalBroker start(int port, Path dir) {
        requireOnClassPath();
        return EmbeddedLocalBroker.start(port, dir);
    }

    /** Turns Kafka's INFO logs down to WARN (a level set with -D wins); call before starting. */
    static void quietKafkaLogs() {
        requireOnClassPath();
        EmbeddedLocalBroker.quietKafkaLogs();
    }

    /** Whether the broker's classes (module broker and Kafka's server) can be loaded. */
    static boolean onClassPath() {
        ClassLoader loader = LocalBroker.class.getClassLoader();
        for (String name :
                new String[] {
                    "io.streambert.broker.EmbeddedKafkaBroker", "kafka.server.KafkaRaftServer"
                }) {
            try {
                Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }
        return true;
    }

    private static void requireOnClassPath() {
        if (!onClassPath())
            throw new IllegalStateException(
                    "the in-process Kafka broker is not on the class path. Only `bin/streambert"
                            + " demo` and `bin/streambert broker` use it: bin/streambert adds"
                            + " app/target/lib-demo (the broker and Kafka's server jars, built by"
                            + " `bin/mvn -pl app -am package`) for those two commands. The service"
                            + " (`run`) connects to an external Kafka.");
    }
}
