package io.streambert.service.ops;

import io.streambert.engine.ModelInfo;
import io.streambert.service.config.ConfigException;
import io.streambert.service.config.InputLimits;
import io.streambert.service.config.ServiceConfig;
import io.streambert.service.config.Topics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up check that the input limits ({@link InputLimits}) fit what the producer and the topics
 * accept: the largest record the service can write (the buffered copy in the changelog, a
 * moderation or embedding event, a dead letter) must be below the producer's {@code
 * max.request.size} and each topic's {@code max.message.bytes}. Otherwise a record that passed
 * validation could later be refused by the broker and stall its partition.
 */
public final class SizeCheck {
    private static final Logger log = LoggerFactory.getLogger(SizeCheck.class);

    /** Room for record framing, headers and the fixed fields of each schema. */
    static final int OVERHEAD = 4096;

    /** Kafka's defaults: producer max.request.size and broker message.max.bytes. */
    static final int DEFAULT_MAX_REQUEST = 1_048_576;

    static final int DEFAULT_MAX_MESSAGE = 1_048_588;

    private SizeCheck() {}

    /** Worst-case bytes of each record kind the service writes. */
    public static Map<String, Long> worstCases(
            InputLimits l, ModelInfo model, int maxTokens, boolean json) {
        long attrs = (long) l.attributesBytes() + 8L * l.attributes();
        long key = l.keyBytes();
        // Every record kind carries the copied input headers; each counts 8 bytes plus its name
        // and value against the limit, and takes at most 10 plus those in a record.
        long headers = 2L * l.headersBytes();
        Map<String, Long> m = new LinkedHashMap<>();
        // The buffered copy keeps the value whole plus the decoded id, attributes and token ids.
        m.put(
                "buffered record (changelog)",
                key + l.valueBytes() + l.idBytes() + attrs + 4L * maxTokens + headers + OVERHEAD);
        // Outputs echo the id, the tenant (inside the value) and the attributes.
        long labels = 64L * Math.max(1, model.labels().size());
        m.put("moderation event", key + l.valueBytes() + labels + headers + OVERHEAD);
        m.put(
                "embedding event",
                key
                        + l.valueBytes()
                        + (long) model.embeddingDim() * (json ? 24 : 4)
                        + headers
                        + OVERHEAD);
        m.put(
                "dead letter",
                key
                        + Math.min(key, l.deadLetterPayload())
                        + l.deadLetterPayload()
                        + 3L * 2000
                        + headers
                        + OVERHEAD);
        return m;
    }

    /** Checks against the producer limit; throws naming every record kind that does not fit. */
    public static void checkProducer(ServiceConfig c, ModelInfo model) {
        long maxRequest = producerMaxRequest(c);
        List<String> problems = new ArrayList<>();
        worstCases(
                        c.inputLimits(),
                        model,
                        model.maxTokens(),
                        c.output().format() == ServiceConfig.OutputFormat.JSON)
                .forEach(
                        (what, bytes) -> {
                            if (bytes > maxRequest)
                                problems.add(
                                        what
                                                + " can reach "
                                                + bytes
                                                + " bytes, above the producer's max.request.size "
                                                + maxRequest);
                        });
        if (!problems.isEmpty()) throw new ConfigException(tooLarge(problems));
    }

    /**
     * Checks the topics' max.message.bytes (best effort: a broker that refuses DescribeConfigs only
     * gets a warning).
     */
    public static void checkTopics(ServiceConfig c, ModelInfo model) {
        Map<String, Long> worst =
                worstCases(
                        c.inputLimits(),
                        model,
                        model.maxTokens(),
                        c.output().format() == ServiceConfig.OutputFormat.JSON);
        Topics topics = c.topics();
        Map<String, Long> need = new LinkedHashMap<>();
        for (String t : topics.moderationTopics()) need.put(t, worst.get("moderation event"));
        if (topics.embeddingOn()) need.put(topics.embedding(), worst.get("embedding event"));
        need.put(topics.deadLetter(), worst.get("dead letter"));
        List<String> problems = new ArrayList<>();
        try (Admin admin = Admin.create(TopicCreator.adminProperties(c))) {
            List<ConfigResource> resources =
                    need.keySet().stream()
                            .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                            .toList();
            Map<ConfigResource, Config> configs =
                    admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            configs.forEach(
                    (r, cfg) -> {
                        var e = cfg.get("max.message.bytes");
                        long max =
                                e == null || e.value() == null
                                        ? DEFAULT_MAX_MESSAGE
                                        : Long.parseLong(e.value());
                        long bytes = need.get(r.name());
                        if (bytes > max)
                            problems.add(
                                    "topic "
                                            + r.name()
                                            + " has max.message.bytes "
                                            + max
                                            + ", but its records can reach "
                                            + bytes
                                            + " bytes");
                    });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn(
                    "cannot read the topics' max.message.bytes ({}); the size limits were checked against the producer only",
                    e.toString());
        }
        if (!problems.isEmpty()) throw new ConfigException(tooLarge(problems));
    }

    private static String tooLarge(List<String> problems) {
        return "input size limits do not fit the Kafka limits (lower input.max.value.bytes, input.max.key.bytes, input.max.id.bytes, "
                + "input.max.attributes.bytes or dead.letter.max.payload.bytes, or raise the Kafka limits):\n  - "
                + String.join("\n  - ", problems);
    }

    static long producerMaxRequest(ServiceConfig c) {
        String v =
                c.kafka()
                        .clients()
                        .getOrDefault(
                                "producer.max.request.size",
                                c.kafka().clients().get("max.request.size"));
        if (v == null) return DEFAULT_MAX_REQUEST;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(
                    "kafka.max.request.size: '" + v + "' is not a number of bytes");
        }
    }
}
