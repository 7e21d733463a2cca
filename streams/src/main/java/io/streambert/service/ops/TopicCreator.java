package io.streambert.service.ops;

import io.streambert.service.config.ServiceConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the input and output topics that do not exist yet (topics.create=true), with the same
 * client settings.
 */
public final class TopicCreator {
    private static final Logger log = LoggerFactory.getLogger(TopicCreator.class);

    private TopicCreator() {}

    public static void createMissing(ServiceConfig c) {
        Properties p = adminProperties(c);
        Set<String> wanted = new LinkedHashSet<>(c.topics().inputs());
        wanted.addAll(c.topics().outputs());
        try (Admin admin = Admin.create(p)) {
            createMissing(c, admin, wanted);
        }
    }

    /** Admin client settings from the service's Kafka settings. */
    static Properties adminProperties(ServiceConfig c) {
        Properties p = new Properties();
        c.kafka()
                .clients()
                .forEach(
                        (k, v) -> {
                            // Client-specific prefixes are for the Streams clients; the admin
                            // client takes the plain keys and admin.*.
                            if (k.startsWith("admin.")) p.put(k.substring("admin.".length()), v);
                            else if (!k.startsWith("consumer.")
                                    && !k.startsWith("producer.")
                                    && !k.startsWith("main.consumer.")
                                    && !k.startsWith("restore.consumer.")
                                    && !k.startsWith("global.consumer.")) p.put(k, v);
                        });
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.kafka().bootstrapServers());
        return filterAdminKeys(p);
    }

    private static void createMissing(ServiceConfig c, Admin admin, Set<String> wanted) {
        try {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String t : wanted)
                if (!existing.contains(t))
                    missing.add(
                            new NewTopic(
                                    t,
                                    Optional.of(c.topicCreation().partitions()),
                                    Optional.of(c.topicCreation().replicationFactor())));
            if (missing.isEmpty()) return;
            try {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException))
                    throw e; // another instance won the race: fine
            }
            log.info(
                    "created topics {} ({} partitions)",
                    missing.stream().map(NewTopic::name).toList(),
                    c.topicCreation().partitions());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot list or create topics "
                            + wanted
                            + " on "
                            + c.kafka().bootstrapServers()
                            + " (set topics.create=false to skip): "
                            + (e.getCause() != null ? e.getCause() : e),
                    e);
        }
    }

    /**
     * Keeps only keys the admin client knows, so Streams-only settings (commit.interval.ms, ...) do
     * not warn.
     */
    private static Properties filterAdminKeys(Properties p) {
        Properties out = new Properties();
        Set<String> known = AdminClientConfig.configNames();
        for (String k : p.stringPropertyNames())
            if (known.contains(k) || k.startsWith("sasl.") || k.startsWith("ssl."))
                out.put(k, p.getProperty(k));
        return out;
    }
}
