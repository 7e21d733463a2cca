package io.streambert.broker;

import java.nio.file.Path;
import java.util.Properties;

/**
 * Server properties for a single KRaft node that is broker and controller at once. Every internal
 * topic gets replication factor 1 and min ISR 1, otherwise transactions (exactly-once Kafka
 * Streams) and consumer groups cannot work with one broker. The rest trims start-up time and
 * memory.
 */
final class BrokerProperties {
    private BrokerProperties() {}

    static Properties singleNode(
            int nodeId,
            String brokerListener,
            String controllerListener,
            int brokerPort,
            int controllerPort,
            Path dataDir) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(nodeId));
        p.put("controller.quorum.voters", nodeId + "@127.0.0.1:" + controllerPort);
        p.put(
                "listeners",
                brokerListener
                        + "://127.0.0.1:"
                        + brokerPort
                        + ","
                        + controllerListener
                        + "://127.0.0.1:"
                        + controllerPort);
        p.put("advertised.listeners", brokerListener + "://127.0.0.1:" + brokerPort);
        p.put(
                "listener.security.protocol.map",
                brokerListener + ":PLAINTEXT," + controllerListener + ":PLAINTEXT");
        p.put("controller.listener.names", controllerListener);
        p.put("inter.broker.listener.name", brokerListener);
        p.put("log.dirs", dataDir.toString());
        p.put("metadata.log.dir", dataDir.toString());

        // One node: every internal topic has one replica, and one is enough for the ISR.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");

        // No waiting for more members to join: the first rebalance happens at once.
        p.put("group.initial.rebalance.delay.ms", "0");
        // A killed producer's open transaction is aborted soon after it times out (default check:
        // every 10 s).
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        // Kafka Streams defaults its consumers to a 45 s session; allow tests to go lower.
        p.put("group.min.session.timeout.ms", "1000");

        // A local broker on a small machine: few threads, small buffers and indexes.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(4 * 1024 * 1024));
        p.put("log.index.size.max.bytes", Integer.toString(1024 * 1024));
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "true");
        return p;
    }
}
