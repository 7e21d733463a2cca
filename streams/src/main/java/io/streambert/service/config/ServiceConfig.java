package io.streambert.service.config;

import static io.streambert.service.config.ConfigKeys.*;

import io.streambert.engine.DeviceSpec;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The service's whole configuration, validated once: a properties file, then {@code STREAMBERT_*}
 * environment overrides on top, then typed and range-checked. Every error names the key, where its
 * value came from (file, environment variable, code, default) and what is wrong with it.
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

    private final Map<String, String> values; // effective key -> value (defaults filled in)
    private final Map<String, String> origins; // key -> where the value came from

    private final String applicationId;
    private final String bootstrapServers;
    private final List<String> inputTopics;
    private final String moderationTopic;
    private final String embeddingTopic;
    private final String deadLetterTopic;
    private final String reviewTopic;
    private final Map<String, String> labelRoutes;
    private final boolean createTopics;
    private final int topicPartitions;
    private final short topicReplicationFactor;
    private final OutputFormat outputFormat;
    private final String schemaRegistryUrl;
    private final Path modelDir;
    private final String device;
    private final int modelMaxTokens;
    private final boolean rejectLongTexts;
    private final int embeddingDim;
    private final int modelThreads;
    private final String modelPrecision;
    private final int textMaxBytes;
    private final InputLimits inputLimits;
    private final long forwardIntervalMs;
    private final int schedulerMaxBatchTokens;
    private final int schedulerMaxBatchSequences;
    private final long schedulerMaxDelayMs;
    private final int schedulerMaxInflightTokens;
    private final long schedulerAdmissionWaitMs;
    private final long retryBackoffMs;
    private final long retryBackoffMaxMs;
    private final boolean deviceFaultExit;
    private final HealthLimits healthLimits;
    private final double defaultThreshold;
    private final java.util.Set<String> safeLabels;
    private final Map<String, Double> thresholds;
    private final String processingGuarantee;
    private final int numStreamThreads;
    private final String stateDir;
    private final int httpPort;
    private final String httpBindAddress;
    private final org.apache.kafka.common.config.types.Password textHashKey;
    private final long progressIntervalMs;
    private final Map<String, String> kafka;
    private final Map<String, String> registry;

    private ServiceConfig(Map<String, String> given, Map<String, String> givenOrigins) {
        List<String> errors = new ArrayList<>();
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        Map<String, String> o = new LinkedHashMap<>();
        DEFAULTS.keySet().forEach(k -> o.put(k, "default"));
        given.forEach(
                (k, val) -> {
                    String key = k.trim();
                    if (ConfigKeys.REMOVED.containsKey(key)) {
                        errors.add(
                                "key '"
                                        + key
                                        + "' ("
                                        + givenOrigins.getOrDefault(k, "code")
                                        + ") was removed: "
                                        + ConfigKeys.REMOVED.get(key));
                        return;
                    }
                    if (!ConfigKeys.isKnown(key)) {
                        String hint = ConfigKeys.closest(key);
                        errors.add(
                                "unknown key '"
                                        + key
                                        + "' ("
                                        + givenOrigins.getOrDefault(k, "code")
                                        + ")"
                                        + (hint != null
                                                ? "; did you mean '" + hint + "'?"
                                                : "; Kafka client settings go under 'kafka.'"));
                        return;
                    }
                    v.put(key, val == null ? "" : val.trim());
                    o.put(key, givenOrigins.getOrDefault(k, "code"));
                });
        this.values = Map.copyOf(v);
        this.origins = Map.copyOf(o);
        Parser p = new Parser(errors);

        applicationId = p.required(APPLICATION_ID);
        bootstrapServers = p.required(BOOTSTRAP_SERVERS);
        inputTopics = p.list(TOPIC_INPUT);
        if (inputTopics.isEmpty())
            errors.add(p.where(TOPIC_INPUT) + ": at least one input topic is needed");
        moderationTopic = p.get(TOPIC_MODERATION);
        embeddingTopic = p.get(TOPIC_EMBEDDING);
        deadLetterTopic = p.required(DEAD_LETTER_KEY);
        reviewTopic = p.get(TOPIC_REVIEW);
        Map<String, String> routes = new LinkedHashMap<>();
        Map<String, Double> th = new LinkedHashMap<>();
        Map<String, String> kf = new LinkedHashMap<>();
        Map<String, String> rg = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : v.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(TOPIC_ROUTE_PREFIX)) {
                if (e.getValue().isEmpty()) errors.add(p.where(key) + ": needs a topic name");
                else
                    routes.put(
                            key.substring(TOPIC_ROUTE_PREFIX.length()).toLowerCase(Locale.ROOT),
                            e.getValue());
            } else if (key.startsWith(THRESHOLD_PREFIX) && !key.equals(THRESHOLD_DEFAULT)) {
                th.put(
                        key.substring(THRESHOLD_PREFIX.length()).toLowerCase(Locale.ROOT),
                        p.probability(key));
            } else if (key.startsWith(REGISTRY_PREFIX)) {
                rg.put(key.substring(REGISTRY_PREFIX.length()), e.getValue());
            } else if (key.startsWith(KAFKA_PREFIX)) {
                kf.put(key.substring(KAFKA_PREFIX.length()), e.getValue());
            }
        }
        labelRoutes = Map.copyOf(routes);
        thresholds = Map.copyOf(th);
        kafka = Map.copyOf(kf);
        registry = Map.copyOf(rg);
        if (moderationTopic.isEmpty() && (!reviewTopic.isEmpty() || !labelRoutes.isEmpty()))
            errors.add(
                    p.where(TOPIC_REVIEW)
                            + " / topic.route.*: routing by label needs moderation events; "
                            + TOPIC_MODERATION
                            + " is turned off (empty)");
        if (moderationTopic.isEmpty() && embeddingTopic.isEmpty())
            errors.add(
                    TOPIC_MODERATION
                            + " and "
                            + TOPIC_EMBEDDING
                            + " are both empty: the service would produce nothing");

        createTopics = p.bool(TOPICS_CREATE);
        topicPartitions = p.integer(TOPICS_PARTITIONS, 1, 10_000);
        topicReplicationFactor = (short) p.integer(TOPICS_REPLICATION_FACTOR, -1, 32);
        if (topicReplicationFactor == 0)
            errors.add(
                    p.where(TOPICS_REPLICATION_FACTOR)
                            + ": 0 is not a replication factor (-1 = broker default)");
        checkTopicsDistinct(p, errors);
        outputFormat = p.choice(FORMAT_OUTPUT, OutputFormat.class);
        schemaRegistryUrl = p.get(SCHEMA_REGISTRY_URL);
        if (outputFormat == OutputFormat.CONFLUENT && schemaRegistryUrl.isEmpty())
            errors.add(
                    p.where(FORMAT_OUTPUT)
                            + " is 'confluent' but "
                            + SCHEMA_REGISTRY_URL
                            + " is not set");
        String dir = p.get(MODEL_DIR);
        modelDir = dir.isEmpty() ? null : Path.of(dir);
        device = p.get(MODEL_DEVICE).toLowerCase(Locale.ROOT);
        try {
            DeviceSpec.parse(device);
        } catch (IllegalArgumentException e) {
            errors.add(
                    p.where(MODEL_DEVICE)
                            + ": '"
                            + device
                            + "' is not one of "
                            + DeviceSpec.CHOICES);
        }
        modelMaxTokens = p.integer(MODEL_MAX_TOKENS, 0, 1 << 20);
        String trunc = p.get(MODEL_TRUNCATION).toLowerCase(Locale.ROOT);
        if (!trunc.equals("truncate") && !trunc.equals("reject"))
            errors.add(
                    p.where(MODEL_TRUNCATION) + ": '" + trunc + "' is not 'truncate' or 'reject'");
        rejectLongTexts = trunc.equals("reject");
        embeddingDim = p.integer(MODEL_EMBEDDING_DIM, 0, 1 << 16);
        modelThreads = p.integer(MODEL_THREADS, 0, 4096);
        modelPrecision = p.get(MODEL_PRECISION).trim().toLowerCase(Locale.ROOT);
        if (!List.of("fp32", "bf16", "int8", "auto").contains(modelPrecision))
            errors.add(
                    p.where(MODEL_PRECISION)
                            + ": '"
                            + modelPrecision
                            + "' is not one of fp32, bf16, int8, auto");
        textMaxBytes = p.integer(TEXT_MAX_BYTES, 1, 64 << 20);
        inputLimits =
                new InputLimits(
                        p.integer(INPUT_MAX_VALUE_BYTES, 1, 64 << 20),
                        p.integer(INPUT_MAX_KEY_BYTES, 0, 64 << 20),
                        p.integer(INPUT_MAX_ID_BYTES, 1, 64 << 20),
                        p.integer(INPUT_MAX_ATTRIBUTES, 0, 1 << 20),
                        p.integer(INPUT_MAX_ATTRIBUTES_BYTES, 0, 64 << 20),
                        textMaxBytes,
                        p.integer(DEAD_LETTER_MAX_PAYLOAD_BYTES, 0, 64 << 20));
        forwardIntervalMs = p.integer(BATCH_FORWARD_INTERVAL_MS, 1, 10_000);
        schedulerMaxBatchTokens = p.integer(SCHEDULER_MAX_BATCH_TOKENS, 1, 1 << 24);
        schedulerMaxBatchSequences = p.integer(SCHEDULER_MAX_BATCH_SEQUENCES, 1, 1 << 16);
        schedulerMaxDelayMs = p.integer(SCHEDULER_MAX_DELAY_MS, 0, 600_000);
        schedulerMaxInflightTokens = p.integer(SCHEDULER_MAX_INFLIGHT_TOKENS, 1, 1 << 28);
        schedulerAdmissionWaitMs = p.integer(SCHEDULER_ADMISSION_WAIT_MS, 0, 60_000);
        retryBackoffMs = p.integer(SCHEDULER_RETRY_BACKOFF_MS, 1, 600_000);
        retryBackoffMaxMs = p.integer(SCHEDULER_RETRY_BACKOFF_MAX_MS, 1, 3_600_000);
        if (retryBackoffMaxMs < retryBackoffMs)
            errors.add(
                    p.where(SCHEDULER_RETRY_BACKOFF_MAX_MS)
                            + ": "
                            + retryBackoffMaxMs
                            + " is below "
                            + SCHEDULER_RETRY_BACKOFF_MS
                            + "="
                            + retryBackoffMs);
        deviceFaultExit = p.bool(DEVICE_FAULT_EXIT);
        healthLimits =
                new HealthLimits(
                        p.integer(HEALTH_MAX_DEVICE_STALL_MS, 1, Integer.MAX_VALUE),
                        p.integer(HEALTH_MAX_THREAD_REPLACEMENTS, 0, Integer.MAX_VALUE),
                        p.integer(HEALTH_MAX_BUFFERED_AGE_MS, 1, Integer.MAX_VALUE));
        defaultThreshold = p.probability(THRESHOLD_DEFAULT);
        safeLabels =
                java.util.Set.copyOf(
                        p.list(LABELS_SAFE).stream().map(x -> x.toLowerCase(Locale.ROOT)).toList());
        processingGuarantee = p.get(PROCESSING_GUARANTEE).toLowerCase(Locale.ROOT);
        if (!processingGuarantee.equals("exactly_once_v2")
                && !processingGuarantee.equals("at_least_once"))
            errors.add(
                    p.where(PROCESSING_GUARANTEE)
                            + ": '"
                            + processingGuarantee
                            + "' is not exactly_once_v2 or at_least_once");
        numStreamThreads = p.integer(NUM_STREAM_THREADS, 1, 1024);
        stateDir = p.get(STATE_DIR);
        httpPort = p.integer(HTTP_PORT, -1, 65535);
        httpBindAddress =
                p.get(HTTP_BIND_ADDRESS).isEmpty() ? "localhost" : p.get(HTTP_BIND_ADDRESS);
        textHashKey = new org.apache.kafka.common.config.types.Password(p.get(TEXT_HASH_KEY));
        progressIntervalMs = p.integer(PROGRESS_INTERVAL_MS, 0, 86_400_000);
        for (String reserved :
                List.of(
                        "application.id",
                        "bootstrap.servers",
                        "processing.guarantee",
                        "num.stream.threads",
                        "state.dir"))
            if (kafka.containsKey(reserved))
                errors.add(
                        "kafka."
                                + reserved
                                + " ("
                                + origins.get("kafka." + reserved)
                                + "): set '"
                                + reserved
                                + "' directly, not under kafka.");

        if (!errors.isEmpty())
            throw new ConfigException(
                    "invalid configuration:\n  - " + String.join("\n  - ", errors));
    }

    private static final String DEAD_LETTER_KEY = TOPIC_DEAD_LETTER;

    /**
     * Each output kind needs its own topics (one sink per topic and one record type per topic), and
     * no output may be an input (the service would read its own output).
     */
    private void checkTopicsDistinct(Parser p, List<String> errors) {
        Map<String, String> owner = new LinkedHashMap<>();
        for (String in : inputTopics) owner.put(in, TOPIC_INPUT);
        java.util.function.BiConsumer<String, String> claim =
                (key, topic) -> {
                    if (topic.isEmpty()) return;
                    String prev = owner.putIfAbsent(topic, key);
                    boolean moderationFamily =
                            prev != null && isModerationKey(prev) && isModerationKey(key);
                    if (prev != null && !moderationFamily)
                        errors.add(
                                p.where(key)
                                        + ": topic '"
                                        + topic
                                        + "' is already used by "
                                        + prev
                                        + "; each needs its own topic");
                };
        claim.accept(TOPIC_DEAD_LETTER, deadLetterTopic);
        claim.accept(TOPIC_EMBEDDING, embeddingTopic);
        claim.accept(TOPIC_MODERATION, moderationTopic);
        claim.accept(TOPIC_REVIEW, reviewTopic);
        labelRoutes.forEach((label, topic) -> claim.accept(TOPIC_ROUTE_PREFIX + label, topic));
    }

    private static boolean isModerationKey(String key) {
        return key.equals(TOPIC_MODERATION)
                || key.equals(TOPIC_REVIEW)
                || key.startsWith(TOPIC_ROUTE_PREFIX);
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

    // ---- typed parsing with messages that name the key and its origin ----

    private final class Parser {
        final List<String> errors;

        Parser(List<String> errors) {
            this.errors = errors;
        }

        String where(String key) {
            return key + " (" + origins.getOrDefault(key, "default") + ")";
        }

        String get(String key) {
            return values.getOrDefault(key, "");
        }

        String required(String key) {
            String s = get(key);
            if (s.isEmpty()) errors.add(where(key) + ": must not be empty");
            return s;
        }

        List<String> list(String key) {
            return Arrays.stream(get(key).split(","))
                    .map(String::trim)
                    .filter(x -> !x.isEmpty())
                    .toList();
        }

        int integer(String key, int min, int max) {
            String s = get(key);
            try {
                long n = Long.parseLong(s);
                if (n < min || n > max) {
                    errors.add(where(key) + ": " + n + " is outside [" + min + ", " + max + "]");
                    return min;
                }
                return (int) n;
            } catch (NumberFormatException e) {
                errors.add(where(key) + ": '" + s + "' is not an integer");
                return min;
            }
        }

        boolean bool(String key) {
            String s = get(key).toLowerCase(Locale.ROOT);
            if (s.equals("true")) return true;
            if (s.equals("false")) return false;
            errors.add(where(key) + ": '" + s + "' is not true or false");
            return false;
        }

        double probability(String key) {
            String s = get(key);
            try {
                double d = Double.parseDouble(s);
                if (!(d >= 0 && d <= 1)) {
                    errors.add(where(key) + ": " + s + " is not a probability in [0, 1]");
                    return 1;
                }
                return d;
            } catch (NumberFormatException e) {
                errors.add(where(key) + ": '" + s + "' is not a number");
                return 1;
            }
        }

        <E extends Enum<E>> E choice(String key, Class<E> type) {
            String s = get(key);
            try {
                return Enum.valueOf(type, s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add(
                        where(key)
                                + ": '"
                                + s
                                + "' is not one of "
                                + Arrays.toString(type.getEnumConstants())
                                        .toLowerCase(Locale.ROOT));
                return type.getEnumConstants()[0];
            }
        }
    }

    // ---- accessors ----

    /** The effective value of {@code key} (default filled in), for logging and docs. */
    public String value(String key) {
        return values.get(key);
    }

    /** Where the value of {@code key} came from: "default", "code", "file F", "environment V". */
    public String origin(String key) {
        return origins.getOrDefault(key, "default");
    }

    public String applicationId() {
        return applicationId;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public List<String> inputTopics() {
        return inputTopics;
    }

    /** Moderation topic, or "" when moderation output is turned off. */
    public String moderationTopic() {
        return moderationTopic;
    }

    /** Embedding topic, or "" when embedding output is turned off. */
    public String embeddingTopic() {
        return embeddingTopic;
    }

    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    /** Topic that also receives flagged moderation events, or "" when off. */
    public String reviewTopic() {
        return reviewTopic;
    }

    /** lower-cased label -> topic that also receives moderation events with that top label. */
    public Map<String, String> labelRoutes() {
        return labelRoutes;
    }

    public OutputFormat outputFormat() {
        return outputFormat;
    }

    /** Create missing input/output topics at start-up (Admin client, same Kafka settings). */
    public boolean createTopics() {
        return createTopics;
    }

    public int topicPartitions() {
        return topicPartitions;
    }

    /** -1 = the broker's default.replication.factor. */
    public short topicReplicationFactor() {
        return topicReplicationFactor;
    }

    public String schemaRegistryUrl() {
        return schemaRegistryUrl;
    }

    /** Qdrant collection name written first in JSON embedding events, or "" for none. */
    public String jsonCollectionName() {
        return value(FORMAT_JSON_COLLECTION);
    }

    /** The model directory, or null when not configured (then the caller must pass an encoder). */
    public Path modelDir() {
        return modelDir;
    }

    public String device() {
        return device;
    }

    public int modelMaxTokens() {
        return modelMaxTokens;
    }

    public boolean rejectLongTexts() {
        return rejectLongTexts;
    }

    public int embeddingDim() {
        return embeddingDim;
    }

    public int modelThreads() {
        return modelThreads;
    }

    /** The CPU encoder's precision: fp32 | bf16 | int8 | auto. */
    public String modelPrecision() {
        return modelPrecision;
    }

    public int textMaxBytes() {
        return textMaxBytes;
    }

    /** Size bounds every input is checked against at validation. */
    public InputLimits inputLimits() {
        return inputLimits;
    }

    /** Period of the punctuator that forwards completed results. */
    public long forwardIntervalMs() {
        return forwardIntervalMs;
    }

    public int schedulerMaxBatchTokens() {
        return schedulerMaxBatchTokens;
    }

    public int schedulerMaxBatchSequences() {
        return schedulerMaxBatchSequences;
    }

    /** Longest a pending sequence waits for batch-mates before a smaller batch starts. */
    public long schedulerMaxDelayMs() {
        return schedulerMaxDelayMs;
    }

    /** Tokens submitted and not yet computed, per process; admission slows down beyond it. */
    public int schedulerMaxInflightTokens() {
        return schedulerMaxInflightTokens;
    }

    /** Longest one record's admission waits for room under the in-flight bound. */
    public long schedulerAdmissionWaitMs() {
        return schedulerAdmissionWaitMs;
    }

    public long retryBackoffMs() {
        return retryBackoffMs;
    }

    public long retryBackoffMaxMs() {
        return retryBackoffMaxMs;
    }

    /** Exit the process on a sticky device fault (after a bounded graceful close). */
    public boolean deviceFaultExit() {
        return deviceFaultExit;
    }

    public HealthLimits healthLimits() {
        return healthLimits;
    }

    public String processingGuarantee() {
        return processingGuarantee;
    }

    public int numStreamThreads() {
        return numStreamThreads;
    }

    /** Kafka Streams state directory, or "" for the Kafka default. */
    public String stateDir() {
        return stateDir;
    }

    /** HTTP port for /metrics, /health, /ready: -1 off, 0 any free port. */
    public int httpPort() {
        return httpPort;
    }

    /** Where the ops endpoints listen (http.bind.address): "localhost" unless configured. */
    public String httpBindAddress() {
        return httpBindAddress;
    }

    /**
     * text.hash.key, typed as a Kafka password so it prints as [hidden]; empty value = unkeyed
     * SHA-256.
     */
    public org.apache.kafka.common.config.types.Password textHashKey() {
        return textHashKey;
    }

    public long progressIntervalMs() {
        return progressIntervalMs;
    }

    /** Kafka client settings from {@code kafka.*}, prefix removed (security, timeouts, ...). */
    public Map<String, String> kafka() {
        return kafka;
    }

    /** Schema-registry client settings from {@code registry.*}, prefix removed (auth, timeouts). */
    public Map<String, String> registry() {
        return registry;
    }

    /**
     * Flag threshold for {@code label} (case-insensitive): {@code threshold.<label>} when set; else
     * {@code threshold.default}, except for the benign labels of {@code labels.safe}, which never
     * flag unless given their own threshold (returns +infinity).
     */
    public double threshold(String label) {
        String l = label.toLowerCase(Locale.ROOT);
        Double own = thresholds.get(l);
        if (own != null) return own;
        return safeLabels.contains(l) ? Double.POSITIVE_INFINITY : defaultThreshold;
    }

    /**
     * Labels that have their own threshold (lower-cased), to check against the model's labels at
     * start-up.
     */
    public java.util.Set<String> thresholdLabels() {
        return thresholds.keySet();
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
