package io.streambert.service.config;

import static io.streambert.service.config.ConfigKeys.*;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * The service's whole configuration, validated once: a properties file, then {@code STREAMBERT_*}
 * environment overrides on top, then typed and checked against {@link ConfigKeys#DEFINITION} (a
 * Kafka {@link ConfigDef}), then the combinations checked. Every error names the key, where its
 * value came from (file, environment variable, code, default) and what is wrong with it; all errors
 * are reported at once.
 *
 * <p>The values are read by section, one record each: {@link #kafka()}, {@link #topics()} and
 * {@link #topicCreation()}, {@link #output()}, {@link #model()}, {@link #inputLimits()}, {@link
 * #validation()}, {@link #buffer()}, {@link #scheduler()}, {@link #thresholds()} and {@link
 * #ops()}.
 *
 * <p>Build one programmatically with {@link #builder()} (tests, the demo) or from a file with
 * {@link #load}.
 */
public final class ServiceConfig {

    /** Output serialisation of the moderation, embedding and dead-letter topics. */
    public enum OutputFormat {
        AVRO,
        CONFLUENT,
        JSON
    }

    /**
     * How to reach Kafka and run Kafka Streams.
     *
     * @param stateDir Kafka Streams state directory, or "" for the Kafka default
     * @param clients Kafka client settings from {@code kafka.*}, prefix removed (security,
     *     timeouts, ...)
     */
    public record Kafka(
            String applicationId,
            String bootstrapServers,
            String processingGuarantee,
            int numStreamThreads,
            String stateDir,
            Map<String, String> clients) {}

    /**
     * Creation of missing topics at start-up (Admin client, same Kafka settings).
     *
     * @param replicationFactor -1 = the broker's default.replication.factor
     */
    public record TopicCreation(boolean enabled, int partitions, short replicationFactor) {}

    /**
     * How outputs are written.
     *
     * @param jsonCollectionName Qdrant collection name written first in JSON embedding events, or
     *     "" for none
     * @param registry schema-registry client settings from {@code registry.*}, prefix removed
     * @param textHashKey typed as a Kafka password so it prints as [hidden]; empty value = unkeyed
     *     SHA-256
     */
    public record Output(
            OutputFormat format,
            String schemaRegistryUrl,
            String jsonCollectionName,
            Map<String, String> registry,
            Password textHashKey) {}

    /**
     * The model and how it runs.
     *
     * @param dir the model directory, or null when not configured (then the caller must pass an
     *     encoder)
     * @param precision the CPU encoder's precision: fp32 | bf16 | int8 | auto
     */
    public record Model(
            Path dir,
            String device,
            int maxTokens,
            boolean rejectLongTexts,
            int embeddingDim,
            int threads,
            String precision) {}

    /**
     * How validation reads text, which headers travel, what dead letters keep, how long a record
     * may wait on the schema registry (docs/SERVICE.md: "Text as the model reads it", "Headers",
     * "What is kept, and where").
     *
     * @param normalizeText tokenize the text without default-ignorable code points, in NFKC
     * @param copyHeaders copy input headers to every output and dead letter
     * @param headerDeny header names never copied (compared without regard to case)
     * @param hashOnlyDeadLetters dead letters keep no value, only the text's hash
     *     (dead.letter.text=hash)
     * @param pauseRetryMs how long one record is retried in place on a registry outage
     */
    public record Validation(
            boolean normalizeText,
            boolean copyHeaders,
            List<String> headerDeny,
            boolean hashOnlyDeadLetters,
            long pauseRetryMs) {}

    /**
     * The buffer (the in-flight log).
     *
     * @param forwardIntervalMs period of the punctuator that forwards completed results
     */
    public record Buffer(long forwardIntervalMs) {}

    /**
     * The process-wide inference scheduler.
     *
     * @param maxDelayMs longest a pending sequence waits for batch-mates before a smaller batch
     *     starts
     * @param maxInflightTokens tokens submitted and not yet computed, per process; admission slows
     *     down beyond it
     * @param admissionWaitMs longest one record's admission waits for room under the in-flight
     *     bound
     */
    public record Scheduler(
            int maxBatchTokens,
            int maxBatchSequences,
            long maxDelayMs,
            int maxInflightTokens,
            long admissionWaitMs,
            long retryBackoffMs,
            long retryBackoffMaxMs) {}

    /**
     * When a moderation label flags.
     *
     * @param safeLabels lower-cased labels that never flag unless given their own threshold
     * @param perLabel lower-cased label -> its own threshold ({@code threshold.<label>})
     */
    public record Thresholds(
            double defaultThreshold, Set<String> safeLabels, Map<String, Double> perLabel) {
        /**
         * Flag threshold for {@code label} (case-insensitive): {@code threshold.<label>} when set;
         * else {@code threshold.default}, except for the benign labels of {@code labels.safe},
         * which never flag unless given their own threshold (returns +infinity).
         */
        public double threshold(String label) {
            String l = label.toLowerCase(Locale.ROOT);
            Double own = perLabel.get(l);
            if (own != null) return own;
            return safeLabels.contains(l) ? Double.POSITIVE_INFINITY : defaultThreshold;
        }

        /** Labels that have their own threshold, to check against the model's at start-up. */
        public Set<String> labels() {
            return perLabel.keySet();
        }
    }

    /**
     * Health, ops endpoints and fault handling.
     *
     * @param deviceFaultExit exit the process on a sticky device fault (after a bounded graceful
     *     close)
     * @param httpPort HTTP port for /metrics, /health, /ready: -1 off, 0 any free port
     * @param httpBindAddress where the ops endpoints listen: "localhost" unless configured
     */
    public record Ops(
            boolean deviceFaultExit,
            HealthLimits health,
            int httpPort,
            String httpBindAddress,
            long progressIntervalMs) {}

    private static final List<String> RESERVED_KAFKA_KEYS =
            List.of(
                    APPLICATION_ID,
                    BOOTSTRAP_SERVERS,
                    PROCESSING_GUARANTEE,
                    NUM_STREAM_THREADS,
                    STATE_DIR);

    private final Map<String, String> values; // effective key -> value (defaults filled in)
    private final Map<String, String> origins; // key -> where the value came from

    private final Kafka kafka;
    private final Topics topics;
    private final TopicCreation topicCreation;
    private final Output output;
    private final Model model;
    private final InputLimits inputLimits;
    private final Validation validation;
    private final Buffer buffer;
    private final Scheduler scheduler;
    private final Thresholds thresholds;
    private final Ops ops;

    private ServiceConfig(Map<String, String> given, Map<String, String> givenOrigins) {
        List<String> errors = new ArrayList<>();
        Map<String, String> v = new LinkedHashMap<>();
        Map<String, String> o = new LinkedHashMap<>();
        DEFINITION
                .configKeys()
                .forEach(
                        (name, key) -> {
                            v.put(name, TypedValues.asText(key.defaultValue));
                            o.put(name, "default");
                        });
        given.forEach(
                (k, val) -> {
                    String key = k.trim();
                    String origin = givenOrigins.getOrDefault(k, "code");
                    String refused = refusal(key, origin);
                    if (refused != null) errors.add(refused);
                    else {
                        v.put(key, val == null ? "" : val.trim());
                        o.put(key, origin);
                    }
                });
        this.values = Map.copyOf(v);
        this.origins = Map.copyOf(o);

        TypedValues t = new TypedValues(values, origins, errors);
        kafka =
                new Kafka(
                        t.string(APPLICATION_ID),
                        t.string(BOOTSTRAP_SERVERS),
                        t.lowerCase(PROCESSING_GUARANTEE),
                        t.integer(NUM_STREAM_THREADS),
                        t.string(STATE_DIR),
                        t.family(KAFKA_PREFIX));
        topics =
                new Topics(
                        t.list(TOPIC_INPUT),
                        t.string(TOPIC_MODERATION),
                        t.string(TOPIC_EMBEDDING),
                        t.string(TOPIC_DEAD_LETTER),
                        t.string(TOPIC_REVIEW),
                        t.labelRoutes());
        topicCreation =
                new TopicCreation(
                        t.bool(TOPICS_CREATE),
                        t.integer(TOPICS_PARTITIONS),
                        (Short) t.value(TOPICS_REPLICATION_FACTOR));
        output =
                new Output(
                        OutputFormat.valueOf(t.string(FORMAT_OUTPUT).toUpperCase(Locale.ROOT)),
                        t.string(SCHEMA_REGISTRY_URL),
                        t.string(FORMAT_JSON_COLLECTION),
                        t.family(REGISTRY_PREFIX),
                        (Password) t.value(TEXT_HASH_KEY));
        String dir = t.string(MODEL_DIR);
        model =
                new Model(
                        dir.isEmpty() ? null : Path.of(dir),
                        t.lowerCase(MODEL_DEVICE),
                        t.integer(MODEL_MAX_TOKENS),
                        t.lowerCase(MODEL_TRUNCATION).equals("reject"),
                        t.integer(MODEL_EMBEDDING_DIM),
                        t.integer(MODEL_THREADS),
                        t.lowerCase(MODEL_PRECISION));
        inputLimits =
                new InputLimits(
                        t.integer(INPUT_MAX_VALUE_BYTES),
                        t.integer(INPUT_MAX_KEY_BYTES),
                        t.integer(INPUT_MAX_ID_BYTES),
                        t.integer(INPUT_MAX_ATTRIBUTES),
                        t.integer(INPUT_MAX_ATTRIBUTES_BYTES),
                        t.integer(TEXT_MAX_BYTES),
                        t.integer(DEAD_LETTER_MAX_PAYLOAD_BYTES),
                        t.integer(INPUT_MAX_HEADERS_BYTES));
        validation =
                new Validation(
                        t.bool(TEXT_NORMALIZE),
                        t.bool(OUTPUT_HEADERS_COPY),
                        List.copyOf(t.list(OUTPUT_HEADERS_DENY)),
                        t.lowerCase(DEAD_LETTER_TEXT).equals("hash"),
                        t.longValue(INPUT_PAUSE_RETRY_MS));
        buffer = new Buffer(t.longValue(BATCH_FORWARD_INTERVAL_MS));
        scheduler =
                new Scheduler(
                        t.integer(SCHEDULER_MAX_BATCH_TOKENS),
                        t.integer(SCHEDULER_MAX_BATCH_SEQUENCES),
                        t.longValue(SCHEDULER_MAX_DELAY_MS),
                        t.integer(SCHEDULER_MAX_INFLIGHT_TOKENS),
                        t.longValue(SCHEDULER_ADMISSION_WAIT_MS),
                        t.longValue(SCHEDULER_RETRY_BACKOFF_MS),
                        t.longValue(SCHEDULER_RETRY_BACKOFF_MAX_MS));
        thresholds =
                new Thresholds(
                        (Double) t.value(THRESHOLD_DEFAULT),
                        Set.copyOf(
                                t.list(LABELS_SAFE).stream()
                                        .map(x -> x.toLowerCase(Locale.ROOT))
                                        .toList()),
                        t.perLabelThresholds());
        String bind = t.string(HTTP_BIND_ADDRESS);
        ops =
                new Ops(
                        t.bool(DEVICE_FAULT_EXIT),
                        new HealthLimits(
                                t.longValue(HEALTH_MAX_DEVICE_STALL_MS),
                                t.integer(HEALTH_MAX_THREAD_REPLACEMENTS),
                                t.longValue(HEALTH_MAX_BUFFERED_AGE_MS)),
                        t.integer(HTTP_PORT),
                        bind.isEmpty() ? "localhost" : bind,
                        t.longValue(PROGRESS_INTERVAL_MS));
        checkCombinations(errors);
        if (!errors.isEmpty())
            throw new ConfigException(
                    "invalid configuration:\n  - " + String.join("\n  - ", errors));
    }

    /** Why {@code key} is refused (removed, or unknown with a hint), or null for a known key. */
    private static String refusal(String key, String origin) {
        if (REMOVED.containsKey(key))
            return "key '" + key + "' (" + origin + ") was removed: " + REMOVED.get(key);
        if (isKnown(key)) return null;
        String hint = closest(key);
        return "unknown key '"
                + key
                + "' ("
                + origin
                + ")"
                + (hint != null
                        ? "; did you mean '" + hint + "'?"
                        : "; Kafka client settings go under 'kafka.'");
    }

    /** What the definition cannot say about one key alone. */
    private void checkCombinations(List<String> errors) {
        if (!topics.moderationOn()
                && (!topics.review().isEmpty() || !topics.labelRoutes().isEmpty()))
            errors.add(
                    where(TOPIC_REVIEW)
                            + " / topic.route.*: routing by label needs moderation events; "
                            + TOPIC_MODERATION
                            + " is turned off (empty)");
        if (!topics.moderationOn() && !topics.embeddingOn())
            errors.add(
                    TOPIC_MODERATION
                            + " and "
                            + TOPIC_EMBEDDING
                            + " are both empty: the service would produce nothing");
        checkTopicsDistinct(errors);
        if (output.format() == OutputFormat.CONFLUENT && output.schemaRegistryUrl().isEmpty())
            errors.add(
                    where(FORMAT_OUTPUT)
                            + " is 'confluent' but "
                            + SCHEMA_REGISTRY_URL
                            + " is not set");
        if (scheduler.retryBackoffMaxMs() < scheduler.retryBackoffMs())
            errors.add(
                    where(SCHEDULER_RETRY_BACKOFF_MAX_MS)
                            + ": "
                            + scheduler.retryBackoffMaxMs()
                            + " is below "
                            + SCHEDULER_RETRY_BACKOFF_MS
                            + "="
                            + scheduler.retryBackoffMs());
        for (String reserved : RESERVED_KAFKA_KEYS)
            if (kafka.clients().containsKey(reserved))
                errors.add(
                        KAFKA_PREFIX
                                + reserved
                                + " ("
                                + origins.get(KAFKA_PREFIX + reserved)
                                + "): set '"
                                + reserved
                                + "' directly, not under kafka.");
    }

    /**
     * Each output kind needs its own topics (one sink per topic and one record type per topic), and
     * no output may be an input (the service would read its own output).
     */
    private void checkTopicsDistinct(List<String> errors) {
        Map<String, String> owner = new LinkedHashMap<>();
        for (String in : topics.inputs()) owner.put(in, TOPIC_INPUT);
        BiConsumer<String, String> claim =
                (key, topic) -> {
                    if (topic.isEmpty()) return;
                    String prev = owner.putIfAbsent(topic, key);
                    boolean moderationFamily =
                            prev != null && isModerationKey(prev) && isModerationKey(key);
                    if (prev != null && !moderationFamily)
                        errors.add(
                                where(key)
                                        + ": topic '"
                                        + topic
                                        + "' is already used by "
                                        + prev
                                        + "; each needs its own topic");
                };
        claim.accept(TOPIC_DEAD_LETTER, topics.deadLetter());
        claim.accept(TOPIC_EMBEDDING, topics.embedding());
        claim.accept(TOPIC_MODERATION, topics.moderation());
        claim.accept(TOPIC_REVIEW, topics.review());
        topics.labelRoutes()
                .forEach((label, topic) -> claim.accept(TOPIC_ROUTE_PREFIX + label, topic));
    }

    private static boolean isModerationKey(String key) {
        return key.equals(TOPIC_MODERATION)
                || key.equals(TOPIC_REVIEW)
                || key.startsWith(TOPIC_ROUTE_PREFIX);
    }

    private String where(String key) {
        return key + " (" + origin(key) + ")";
    }

    // ---- construction ----

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads {@code file} (Java properties), then applies the {@code STREAMBERT_*} variables of
     * {@code env}.
     */
    public static ServiceConfig load(Path file, Map<String, String> env) {
        return builder(file, env).build();
    }

    /**
     * A builder holding {@code file}'s settings and the environment overrides, to add more before
     * validating.
     */
    public static Builder builder(Path file, Map<String, String> env) {
        Builder b = builder();
        if (file != null) {
            if (!Files.isRegularFile(file))
                throw new ConfigException(
                        "config file " + file + ": not found or not a regular file");
            Properties props = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException(
                        "config file " + file + ": cannot read it: " + e.getMessage());
            }
            for (String k : props.stringPropertyNames())
                b.set(k, props.getProperty(k), "file " + file);
        }
        EnvOverrides.from(env).forEach((k, val) -> b.set(k, val, "environment " + envName(k)));
        return b;
    }

    private static String envName(String key) {
        return EnvOverrides.PREFIX
                + key.replace("_", "__").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /**
     * Collects key/value pairs (and where each came from) and validates them in {@link #build()}.
     */
    public static final class Builder {
        private final Map<String, String> values = new LinkedHashMap<>();
        private final Map<String, String> origins = new LinkedHashMap<>();

        public Builder set(String key, Object value) {
            return set(key, String.valueOf(value), "code");
        }

        public Builder set(String key, String value, String origin) {
            values.put(key, value);
            origins.put(key, origin);
            return this;
        }

        public Builder putAll(Map<String, String> map) {
            map.forEach(this::set);
            return this;
        }

        /** Copies another config's explicit values (not its defaults) so they can be changed. */
        public Builder from(ServiceConfig other) {
            other.values.forEach(
                    (k, val) -> {
                        if (!"default".equals(other.origins.get(k)))
                            set(k, val, other.origins.get(k));
                    });
            return this;
        }

        public ServiceConfig build() {
            return new ServiceConfig(values, origins);
        }
    }

    // ---- sections ----

    /** The effective value of {@code key} (default filled in), for logging and docs. */
    public String value(String key) {
        return values.get(key);
    }

    /** Where the value of {@code key} came from: "default", "code", "file F", "environment V". */
    public String origin(String key) {
        return origins.getOrDefault(key, "default");
    }

    public Kafka kafka() {
        return kafka;
    }

    /** Every topic the service reads or writes. */
    public Topics topics() {
        return topics;
    }

    public TopicCreation topicCreation() {
        return topicCreation;
    }

    public Output output() {
        return output;
    }

    public Model model() {
        return model;
    }

    /** Size bounds every input is checked against at validation. */
    public InputLimits inputLimits() {
        return inputLimits;
    }

    /** Text normalization, header copying, dead-letter text and the registry pause. */
    public Validation validation() {
        return validation;
    }

    public Buffer buffer() {
        return buffer;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public Thresholds thresholds() {
        return thresholds;
    }

    public Ops ops() {
        return ops;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ServiceConfig{");
        values.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(
                        e -> {
                            // Typed, not guessed from the name: Kafka's PASSWORD settings and ours
                            // (SecretKeys); URLs without credentials.
                            sb.append("\n  ")
                                    .append(e.getKey())
                                    .append('=')
                                    .append(SecretKeys.shown(e.getKey(), e.getValue()))
                                    .append("  [")
                                    .append(origin(e.getKey()))
                                    .append(']');
                        });
        return sb.append("\n}").toString();
    }
}
