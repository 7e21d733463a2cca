package io.streambert.broker;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka 4.2 broker running in this JVM: one KRaft process that is both broker
 * and controller, built from Kafka's own server classes (the same code path as {@code kafka-storage
 * format} followed by {@code kafka-server-start}). Meant for the demo, {@code bin/streambert
 * broker} and the {@code *IT} tests: it listens on 127.0.0.1 only and is tuned so that transactions
 * and consumer groups work on a single node and start in seconds.
 *
 * <p>Start with {@link #start()} or {@link #start(BrokerOptions)}; {@link #close()} stops the
 * server and deletes its log directory when this class created it.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaRaftServer server;
    private final Path logDir;
    private final boolean deleteOnClose;
    private final String bootstrapServers;
    private boolean closed;

    private EmbeddedKafkaBroker(
            KafkaRaftServer server, Path logDir, boolean deleteOnClose, String bootstrapServers) {
        this.server = server;
        this.logDir = logDir;
        this.deleteOnClose = deleteOnClose;
        this.bootstrapServers = bootstrapServers;
    }

    /** Starts a broker on a random free port with a temporary log directory (deleted on close). */
    public static EmbeddedKafkaBroker start() {
        return start(BrokerOptions.defaults());
    }

    /**
     * Formats the log directory (unless it already holds a formatted node), starts the server and
     * waits until a client sees the broker registered in the cluster metadata.
     */
    public static EmbeddedKafkaBroker start(BrokerOptions options) {
        // Random ports are picked, released, then bound by Kafka: another process can take one in
        // between.
        // That is worth a retry with new ports; a port the caller asked for that is busy is not.
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(options);
            } catch (BrokerStartException e) {
                boolean bindRace =
                        rootCause(e) instanceof BindException
                                && (options.port() == 0
                                        || !e.getMessage()
                                                .contains("127.0.0.1:" + options.port() + ":"));
                if (!bindRace || attempt == 3) throw e;
            }
        }
    }

    private static EmbeddedKafkaBroker startOnce(BrokerOptions options) {
        Path dir;
        boolean temporary = options.logDir() == null;
        try {
            dir =
                    temporary
                            ? Files.createTempDirectory("streambert-kafka-")
                            : Files.createDirectories(options.logDir());
        } catch (IOException e) {
            throw new BrokerStartException(
                    "cannot create the broker log directory "
                            + options.logDir()
                            + ": "
                            + e.getMessage(),
                    e);
        }
        int brokerPort = options.port() > 0 ? options.port() : FreePorts.pick();
        int controllerPort = FreePorts.pickOtherThan(brokerPort);
        Properties props =
                BrokerProperties.singleNode(
                        NODE_ID,
                        BROKER_LISTENER,
                        CONTROLLER_LISTENER,
                        brokerPort,
                        controllerPort,
                        dir.resolve("data"));
        props.putAll(options.overrides());
        KafkaRaftServer server = null;
        try {
            format(dir.resolve("data"));
            KafkaConfig config = KafkaConfig.fromProps(props, false);
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            String bootstrap = "127.0.0.1:" + brokerPort;
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, dir, temporary, bootstrap);
            broker.awaitReady();
            return broker;
        } catch (RuntimeException | Error e) {
            stopQuietly(server);
            if (temporary) TempDirs.deleteRecursively(dir);
            if (e instanceof BrokerStartException b) throw b;
            throw new BrokerStartException(
                    "the embedded Kafka broker did not start (broker port "
                            + brokerPort
                            + ", controller port "
                            + controllerPort
                            + ", log dir "
                            + dir
                            + "): "
                            + describe(e),
                    e);
        }
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Where the broker keeps its data (metadata log and partitions). */
    public Path logDir() {
        return logDir;
    }

    /** Client properties pointing at this broker; a fresh mutable copy each call. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    /**
     * Creates topics with the given partition counts (replication 1); existing topics are left as
     * they are.
     */
    public void createTopics(Map<String, Integer> partitionsByTopic) {
        List<NewTopic> topics = new ArrayList<>();
        partitionsByTopic.forEach(
                (name, partitions) -> topics.add(new NewTopic(name, partitions, (short) 1)));
        createTopics(topics);
    }

    /** Creates single-partition topics; existing topics are left as they are. */
    public void createTopics(String... names) {
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) topics.add(new NewTopic(name, 1, (short) 1));
        createTopics(topics);
    }

    /** Creates the given topics, waiting for each; a topic that already exists is not an error. */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = Admin.create(clientProperties())) {
            for (var entry : admin.createTopics(topics).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "cannot create topic "
                                        + entry.getKey()
                                        + ": "
                                        + e.getCause().getMessage(),
                                e.getCause());
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException(
                            "creating topic " + entry.getKey() + " timed out after 30 s", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(
                            "interrupted while creating topic " + entry.getKey(), e);
                }
            }
        }
    }

    /**
     * Stops the server, waits for it, and deletes the log directory if it was a temporary one.
     * Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        stopQuietly(server);
        if (deleteOnClose) TempDirs.deleteRecursively(logDir);
    }

    // The broker answers metadata requests only once the controller has registered it and the
    // broker has caught up with the metadata log; creating a topic proves the whole path works.
    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Properties p = clientProperties();
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        try (Admin admin = Admin.create(p)) {
            Exception last = null;
            while (System.nanoTime() < deadline) {
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BrokerStartException("interrupted while waiting for the broker", e);
                }
                sleep(100);
            }
            throw new BrokerStartException(
                    "the broker at "
                            + bootstrapServers
                            + " was not ready within "
                            + READY_TIMEOUT.toSeconds()
                            + " s: "
                            + last,
                    last);
        }
    }

    // The equivalent of `kafka-storage format` for a static quorum (controller.quorum.voters):
    // writes
    // meta.properties and the bootstrap metadata checkpoint. A directory that is already formatted
    // is reused (bin/streambert broker --dir).
    private static void format(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            Formatter formatter =
                    new Formatter()
                            .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                            .setNodeId(NODE_ID)
                            .setClusterId(clusterIdFor(dataDir))
                            .setDirectories(List.of(dataDir.toString()))
                            .setReleaseVersion(MetadataVersion.latestProduction())
                            .setControllerListenerName(CONTROLLER_LISTENER)
                            .setMetadataLogDirectory(dataDir.toString())
                            // Share groups are not used here; keeping the feature off saves its
                            // coordinator topic.
                            .setFeatureLevel("share.version", (short) 0)
                            .setIgnoreFormatted(true);
            formatter.run();
        } catch (Exception e) {
            throw new BrokerStartException(
                    "cannot format the broker log directory " + dataDir + ": " + e.getMessage(), e);
        }
    }

    // A formatted directory keeps its cluster id; reuse it so a restart with --dir finds its data.
    private static String clusterIdFor(Path dataDir) throws IOException {
        Path meta = dataDir.resolve("meta.properties");
        if (Files.exists(meta)) {
            Properties p = new Properties();
            try (var in = Files.newInputStream(meta)) {
                p.load(in);
            }
            String id = p.getProperty("cluster.id");
            if (id != null && !id.isBlank()) return id;
        }
        return Uuid.randomUuid().toString();
    }

    private static void stopQuietly(KafkaRaftServer server) {
        if (server == null) return;
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            System.err.println("embedded broker: error while shutting down: " + e);
        }
    }

    // Kafka wraps the real reason (e.g. "failed to bind ... Address already in use") a few levels
    // deep.
    private static String describe(Throwable e) {
        StringBuilder sb =
                new StringBuilder(
                        String.valueOf(e.getMessage() != null ? e.getMessage() : e.toString()));
        Throwable root = rootCause(e);
        if (root != e && root.getMessage() != null && !sb.toString().contains(root.getMessage())) {
            sb.append(" (cause: ").append(root.getMessage()).append(')');
        }
        // The bind message names the port; keep it findable for the retry decision above.
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t.getMessage() != null
                    && t.getMessage().contains("failed to bind")
                    && !sb.toString().contains(t.getMessage())) {
                sb.append(" (").append(t.getMessage()).append(')');
                break;
            }
        }
        return sb.toString();
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerStartException("interrupted while waiting for the broker", e);
        }
    }
}
