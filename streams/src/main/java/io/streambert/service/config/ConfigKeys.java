package io.streambert.service.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.DOUBLE;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LIST;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.PASSWORD;
import static org.apache.kafka.common.config.ConfigDef.Type.SHORT;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Every key the service understands, in one typed definition ({@link #DEFINITION}, a Kafka {@link
 * ConfigDef}): type, default, validator, importance, section and a one-line meaning. The loader
 * ({@link ServiceConfig}) rejects keys not defined here (typos fail at start-up, not silently), and
 * the configuration table of docs/SERVICE.md is generated from it ({@link ConfigTable}).
 *
 * <p>Keys use dots only so that each maps to exactly one environment variable (see {@link
 * EnvOverrides}). Four families are open-ended ({@link #FAMILIES}): {@code kafka.*} (passed to the
 * Kafka clients), {@code registry.*} (passed to the schema-registry client, e.g. {@code
 * registry.basic.auth.user.info}), {@code threshold.<label>} and {@code topic.route.<label>}.
 */
public final class ConfigKeys {
    private ConfigKeys() {}

    // Sections: the ConfigDef group of each key, and one record of ServiceConfig each.
    public static final String KAFKA = "Kafka";
    public static final String TOPICS = "Topics";
    public static final String OUTPUT = "Output";
    public static final String MODEL = "Model";
    public static final String INPUT_LIMITS = "Input limits";
    public static final String VALIDATION = "Validation";
    public static final String BUFFER = "Buffer";
    public static final String SCHEDULER = "Scheduler";
    public static final String THRESHOLDS = "Thresholds";
    public static final String OPS = "Health and ops";

    public static final String APPLICATION_ID = "application.id";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String PROCESSING_GUARANTEE = "processing.guarantee";
    public static final String NUM_STREAM_THREADS = "num.stream.threads";
    public static final String STATE_DIR = "state.dir";
    public static final String TOPIC_INPUT = "topic.input";
    public static final String TOPIC_MODERATION = "topic.moderation";
    public static final String TOPIC_EMBEDDING = "topic.embedding";
    public static final String TOPIC_DEAD_LETTER = "topic.dead.letter";
    public static final String TOPIC_REVIEW = "topic.review";
    public static final String TOPIC_ROUTE_PREFIX = "topic.route.";
    public static final String TOPICS_CREATE = "topics.create";
    public static final String TOPICS_PARTITIONS = "topics.partitions";
    public static final String TOPICS_REPLICATION_FACTOR = "topics.replication.factor";
    public static final String FORMAT_OUTPUT = "format.output";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String FORMAT_JSON_COLLECTION = "format.json.collection.name";

    /**
     * Secret key of the HMAC behind text_sha256 (a PASSWORD: never logged); empty = plain SHA-256.
     */
    public static final String TEXT_HASH_KEY = "text.hash.key";

    public static final String MODEL_DIR = "model.dir";
    public static final String MODEL_DEVICE = "model.device";
    public static final String MODEL_MAX_TOKENS = "model.max.tokens";
    public static final String MODEL_TRUNCATION = "model.truncation";
    public static final String MODEL_EMBEDDING_DIM = "model.embedding.dim";
    public static final String MODEL_THREADS = "model.threads";
    public static final String MODEL_PRECISION = "model.precision";
    public static final String TEXT_MAX_BYTES = "text.max.bytes";
    public static final String INPUT_MAX_VALUE_BYTES = "input.max.value.bytes";
    public static final String INPUT_MAX_KEY_BYTES = "input.max.key.bytes";
    public static final String INPUT_MAX_ID_BYTES = "input.max.id.bytes";
    public static final String INPUT_MAX_ATTRIBUTES = "input.max.attributes";
    public static final String INPUT_MAX_ATTRIBUTES_BYTES = "input.max.attributes.bytes";
    public static final String DEAD_LETTER_MAX_PAYLOAD_BYTES = "dead.letter.max.payload.bytes";
    public static final String INPUT_MAX_HEADERS_BYTES = "input.max.headers.bytes";
    public static final String TEXT_NORMALIZE = "text.normalize";
    public static final String OUTPUT_HEADERS_COPY = "output.headers.copy";
    public static final String OUTPUT_HEADERS_DENY = "output.headers.deny";
    public static final String DEAD_LETTER_TEXT = "dead.letter.text";
    public static final String INPUT_PAUSE_RETRY_MS = "input.pause.retry.ms";
    public static final String BATCH_FORWARD_INTERVAL_MS = "batch.forward.interval.ms";
    public static final String SCHEDULER_MAX_BATCH_TOKENS = "scheduler.max.batch.tokens";
    public static final String SCHEDULER_MAX_BATCH_SEQUENCES = "scheduler.max.batch.sequences";
    public static final String SCHEDULER_MAX_DELAY_MS = "scheduler.max.delay.ms";
    public static final String SCHEDULER_MAX_INFLIGHT_TOKENS = "scheduler.max.inflight.tokens";
    public static final String SCHEDULER_ADMISSION_WAIT_MS = "scheduler.admission.wait.ms";
    public static final String SCHEDULER_RETRY_BACKOFF_MS = "scheduler.retry.backoff.ms";
    public static final String SCHEDULER_RETRY_BACKOFF_MAX_MS = "scheduler.retry.backoff.max.ms";
    public static final String THRESHOLD_PREFIX = "threshold.";
    public static final String THRESHOLD_DEFAULT = "threshold.default";
    public static final String LABELS_SAFE = "labels.safe";
    public static final String DEVICE_FAULT_EXIT = "device.fault.exit";
    public static final String HEALTH_MAX_DEVICE_STALL_MS = "health.max.device.stall.ms";
    public static final String HEALTH_MAX_THREAD_REPLACEMENTS = "health.max.thread.replacements";
    public static final String HEALTH_MAX_BUFFERED_AGE_MS = "health.max.buffered.age.ms";
    public static final String HTTP_PORT = "http.port";

    /**
     * Address the ops endpoints listen on: localhost by default; the container image sets 0.0.0.0.
     */
    public static final String HTTP_BIND_ADDRESS = "http.bind.address";

    public static final String PROGRESS_INTERVAL_MS = "progress.interval.ms";
    public static final String KAFKA_PREFIX = "kafka.";
    public static final String REGISTRY_PREFIX = "registry.";

    /** The typed definition of every fixed key; definition order is documentation order. */
    public static final ConfigDef DEFINITION = new ConfigDef();

    static {
        section(KAFKA);
        key(
                APPLICATION_ID,
                STRING,
                "streambert",
                ConfigValidators.nonEmpty(),
                HIGH,
                "Kafka Streams application id (consumer group, internal topic prefix)");
        key(
                BOOTSTRAP_SERVERS,
                STRING,
                "localhost:9092",
                ConfigValidators.nonEmpty(),
                HIGH,
                "Kafka cluster");
        key(
                PROCESSING_GUARANTEE,
                STRING,
                "exactly_once_v2",
                ConfigValidators.oneOf(
                        "exactly_once_v2 or at_least_once", "exactly_once_v2", "at_least_once"),
                MEDIUM,
                "exactly-once (transactions) or at-least-once delivery");
        key(
                NUM_STREAM_THREADS,
                INT,
                1,
                ConfigValidators.between(1, 1024),
                MEDIUM,
                "stream threads; all share the one scheduler");
        key(
                STATE_DIR,
                STRING,
                "",
                null,
                MEDIUM,
                "local state directory; empty = the Kafka Streams default");

        section(TOPICS);
        key(
                TOPIC_INPUT,
                LIST,
                "text-events",
                ConfigValidators.nonEmptyList("at least one input topic is needed"),
                HIGH,
                "TextEvent input topics, comma-separated");
        key(
                TOPIC_MODERATION,
                STRING,
                "moderation-events",
                null,
                HIGH,
                "one ModerationEvent per valid input; empty = off");
        key(
                TOPIC_EMBEDDING,
                STRING,
                "embedding-events",
                null,
                HIGH,
                "one EmbeddingEvent per valid input; empty = off");
        key(
                TOPIC_DEAD_LETTER,
                STRING,
                "streambert-dead-letters",
                ConfigValidators.nonEmpty(),
                HIGH,
                "one DeadLetter per input that could not be processed");
        key(
                TOPIC_REVIEW,
                STRING,
                "",
                null,
                MEDIUM,
                "a copy of each flagged ModerationEvent; empty = off");
        key(
                TOPICS_CREATE,
                BOOLEAN,
                true,
                null,
                MEDIUM,
                "create missing input and output topics at start-up (false where the service has"
                        + " no CREATE permission)");
        key(
                TOPICS_PARTITIONS,
                INT,
                3,
                ConfigValidators.between(1, 10_000),
                LOW,
                "partitions of topics created at start-up");
        key(
                TOPICS_REPLICATION_FACTOR,
                SHORT,
                (short) -1,
                ConfigValidators.replicationFactor(),
                LOW,
                "replicas of topics created at start-up; -1 = the broker's default");

        section(OUTPUT);
        key(
                FORMAT_OUTPUT,
                STRING,
                "avro",
                ConfigValidators.oneOf(
                        "one of [avro, confluent, json]", "avro", "confluent", "json"),
                MEDIUM,
                "serialisation of the moderation, embedding and dead-letter topics");
        key(
                SCHEMA_REGISTRY_URL,
                STRING,
                "",
                null,
                MEDIUM,
                "registry for `confluent` (comma-separated for fail-over)");
        key(
                FORMAT_JSON_COLLECTION,
                STRING,
                "",
                null,
                LOW,
                "with `json`: Qdrant collection name written first in embedding events");
        key(
                TEXT_HASH_KEY,
                PASSWORD,
                "",
                null,
                MEDIUM,
                "secret key making text_sha256 an HMAC-SHA256; empty = plain SHA-256");

        section(MODEL);
        key(
                MODEL_DIR,
                STRING,
                "",
                null,
                HIGH,
                "model directory (config.json, model.safetensors, tokenizer.json); required by"
                        + " `run`");
        key(
                MODEL_DEVICE,
                STRING,
                "auto",
                ConfigValidators.device(),
                HIGH,
                "`auto` (cuda when usable, else cpu), `cpu`, `cuda`, `cuda:N`, `emulated` (parsed"
                        + " by the engine's DeviceSpec, as `--device` is)");
        key(
                MODEL_MAX_TOKENS,
                INT,
                0,
                ConfigValidators.between(0, 1 << 20),
                MEDIUM,
                "token limit per text incl. [CLS]/[SEP]; 0 = the model's limit");
        key(
                MODEL_TRUNCATION,
                STRING,
                "truncate",
                ConfigValidators.oneOf("'truncate' or 'reject'", "truncate", "reject"),
                MEDIUM,
                "`truncate` or `reject` (-> TOO_MANY_TOKENS)");
        key(
                MODEL_EMBEDDING_DIM,
                INT,
                0,
                ConfigValidators.between(0, 1 << 16),
                MEDIUM,
                "Matryoshka dimension; 0 = hidden size");
        key(
                MODEL_THREADS,
                INT,
                0,
                ConfigValidators.between(0, 4096),
                MEDIUM,
                "CPU encoder threads; 0 = all cores");
        key(
                MODEL_PRECISION,
                STRING,
                "fp32",
                ConfigValidators.oneOf(
                        "one of fp32, bf16, int8, auto", "fp32", "bf16", "int8", "auto"),
                MEDIUM,
                "CPU encoder matrix products (docs/BENCHMARKS.md, \"Precisions\"); a mode whose"
                        + " kernel this processor lacks runs fp32 and logs why");

        section(INPUT_LIMITS);
        key(
                TEXT_MAX_BYTES,
                INT,
                65_536,
                ConfigValidators.between(1, 64 << 20),
                MEDIUM,
                "longer UTF-8 texts -> TEXT_TOO_LONG");
        key(
                INPUT_MAX_VALUE_BYTES,
                INT,
                262_144,
                ConfigValidators.between(1, 64 << 20),
                LOW,
                "larger input values -> TOO_LARGE");
        key(
                INPUT_MAX_KEY_BYTES,
                INT,
                4096,
                ConfigValidators.between(0, 64 << 20),
                LOW,
                "larger record keys -> TOO_LARGE");
        key(
                INPUT_MAX_ID_BYTES,
                INT,
                1024,
                ConfigValidators.between(1, 64 << 20),
                LOW,
                "longer ids (UTF-8) -> TOO_LARGE");
        key(
                INPUT_MAX_ATTRIBUTES,
                INT,
                64,
                ConfigValidators.between(0, 1 << 20),
                LOW,
                "more attributes -> TOO_LARGE");
        key(
                INPUT_MAX_ATTRIBUTES_BYTES,
                INT,
                16_384,
                ConfigValidators.between(0, 64 << 20),
                LOW,
                "more UTF-8 bytes in attribute keys and values together -> TOO_LARGE");
        key(
                DEAD_LETTER_MAX_PAYLOAD_BYTES,
                INT,
                65_536,
                ConfigValidators.between(0, 64 << 20),
                LOW,
                "a dead letter keeps at most this much of the original key and of the value");
        key(
                INPUT_MAX_HEADERS_BYTES,
                INT,
                16_384,
                ConfigValidators.between(0, 64 << 20),
                LOW,
                "more bytes in the headers outputs copy (8 per header plus name and value)"
                        + " -> TOO_LARGE (every output carries them)");

        section(VALIDATION);
        key(
                TEXT_NORMALIZE,
                BOOLEAN,
                true,
                null,
                MEDIUM,
                "tokenize the text with default-ignorable code points removed and in Unicode NFKC,"
                        + " so \"i\\u200Bdiot\" reads as \"idiot\" (hash and length limit apply to the"
                        + " text as sent)");
        key(
                OUTPUT_HEADERS_COPY,
                BOOLEAN,
                true,
                null,
                MEDIUM,
                "copy the input record's headers (traceparent byte for byte) to every output and"
                        + " dead letter");
        key(
                OUTPUT_HEADERS_DENY,
                LIST,
                "",
                null,
                LOW,
                "header names never copied, comma-separated, any case");
        key(
                DEAD_LETTER_TEXT,
                STRING,
                "original",
                ConfigValidators.oneOf("one of [original, hash]", "original", "hash"),
                MEDIUM,
                "what a dead letter keeps of the value: `original` bytes, or `hash` (no value; the"
                        + " text's keyed hash in the message)");
        key(
                INPUT_PAUSE_RETRY_MS,
                LONG,
                5_000L,
                ConfigValidators.between(0, 60_000),
                LOW,
                "how long one record is retried in place while the schema registry is unavailable"
                        + " (or its schema unknown under the pause policy) before the task fails and"
                        + " reads it again; never dead-lettered");

        section(BUFFER);
        key(
                BATCH_FORWARD_INTERVAL_MS,
                LONG,
                10L,
                ConfigValidators.between(1, 10_000),
                LOW,
                "how often completed results are forwarded (wall-clock punctuator)");

        section(SCHEDULER);
        key(
                SCHEDULER_MAX_BATCH_TOKENS,
                INT,
                16_384,
                ConfigValidators.between(1, 1 << 24),
                MEDIUM,
                "device batch token budget");
        key(
                SCHEDULER_MAX_BATCH_SEQUENCES,
                INT,
                256,
                ConfigValidators.between(1, 1 << 16),
                MEDIUM,
                "device batch sequence limit");
        key(
                SCHEDULER_MAX_DELAY_MS,
                LONG,
                20L,
                ConfigValidators.between(0, 600_000),
                MEDIUM,
                "a smaller batch starts once the oldest pending sequence has waited this long");
        key(
                SCHEDULER_MAX_INFLIGHT_TOKENS,
                INT,
                131_072,
                ConfigValidators.between(1, 1 << 28),
                MEDIUM,
                "tokens submitted and not yet computed, per process; admission slows down beyond"
                        + " it");
        key(
                SCHEDULER_ADMISSION_WAIT_MS,
                LONG,
                100L,
                ConfigValidators.between(0, 60_000),
                LOW,
                "the longest one record's admission waits for room under that bound");
        key(
                SCHEDULER_RETRY_BACKOFF_MS,
                LONG,
                100L,
                ConfigValidators.between(1, 600_000),
                LOW,
                "first retry delay after a device error (doubled per attempt)");
        key(
                SCHEDULER_RETRY_BACKOFF_MAX_MS,
                LONG,
                10_000L,
                ConfigValidators.between(1, 3_600_000),
                LOW,
                "longest retry delay; not below scheduler.retry.backoff.ms");

        section(THRESHOLDS);
        key(
                THRESHOLD_DEFAULT,
                DOUBLE,
                0.5,
                ConfigValidators.probability(),
                MEDIUM,
                "flag threshold for labels without their own");
        key(
                LABELS_SAFE,
                LIST,
                "safe,ham,ok,neutral,none,clean,benign,non-toxic,non_toxic,not_toxic",
                null,
                LOW,
                "labels that never flag unless given their own threshold");

        section(OPS);
        key(
                DEVICE_FAULT_EXIT,
                BOOLEAN,
                true,
                null,
                MEDIUM,
                "on a sticky device fault, close and exit the process (status 70)");
        key(
                HEALTH_MAX_DEVICE_STALL_MS,
                LONG,
                120_000L,
                ConfigValidators.between(1, Integer.MAX_VALUE),
                LOW,
                "`/health` fails when work waits and no device batch succeeded for this long");
        key(
                HEALTH_MAX_THREAD_REPLACEMENTS,
                INT,
                3,
                ConfigValidators.between(0, Integer.MAX_VALUE),
                LOW,
                "... or when more stream threads than this were replaced");
        key(
                HEALTH_MAX_BUFFERED_AGE_MS,
                LONG,
                600_000L,
                ConfigValidators.between(1, Integer.MAX_VALUE),
                LOW,
                "... or when the oldest buffered record waited this long");
        key(
                HTTP_PORT,
                INT,
                8080,
                ConfigValidators.between(-1, 65535),
                MEDIUM,
                "`/metrics`, `/health`, `/ready`; 0 = any free port, -1 = off");
        key(
                HTTP_BIND_ADDRESS,
                STRING,
                "localhost",
                null,
                MEDIUM,
                "where the ops endpoints listen (the container image sets 0.0.0.0); empty ="
                        + " localhost");
        key(
                PROGRESS_INTERVAL_MS,
                LONG,
                10_000L,
                ConfigValidators.between(0, 86_400_000),
                LOW,
                "progress log interval; 0 = off");
    }

    /** An open-ended family of keys: {@code prefix} + a name of the user's choice. */
    public record Family(String prefix, String pattern, String section, String doc) {
        boolean matches(String key) {
            return key.startsWith(prefix) && key.length() > prefix.length();
        }
    }

    /** The open-ended families, in documentation order. */
    public static final List<Family> FAMILIES =
            List.of(
                    new Family(
                            KAFKA_PREFIX,
                            "kafka.*",
                            KAFKA,
                            "passed to Kafka Streams and its clients with the prefix removed:"
                                    + " security (`kafka.security.protocol`, `kafka.sasl.*`,"
                                    + " `kafka.ssl.*`), `kafka.commit.interval.ms`,"
                                    + " `kafka.producer.*`, `kafka.consumer.*`, ...; the five"
                                    + " settings above are set with their own keys"),
                    new Family(
                            TOPIC_ROUTE_PREFIX,
                            "topic.route.<label>",
                            TOPICS,
                            "a copy of each ModerationEvent whose top label is `<label>`"),
                    new Family(
                            REGISTRY_PREFIX,
                            "registry.*",
                            OUTPUT,
                            "registry client settings, e.g."
                                    + " `registry.basic.auth.credentials.source=USER_INFO`,"
                                    + " `registry.basic.auth.user.info=u:p` (a secret)"),
                    new Family(
                            THRESHOLD_PREFIX,
                            "threshold.<label>",
                            THRESHOLDS,
                            "per-label flag threshold in [0, 1] (label case-insensitive)"));

    private static String currentSection;
    private static int orderInSection;

    private static void section(String name) {
        currentSection = name;
        orderInSection = 0;
    }

    private static void key(
            String name,
            ConfigDef.Type type,
            Object defaultValue,
            ConfigDef.Validator validator,
            ConfigDef.Importance importance,
            String doc) {
        DEFINITION.define(
                name,
                type,
                defaultValue,
                validator,
                importance,
                doc,
                currentSection,
                ++orderInSection,
                ConfigDef.Width.NONE,
                name);
    }

    /** True for a key the service knows, fixed or from an open family. */
    public static boolean isKnown(String key) {
        return DEFINITION.names().contains(key) || family(key) != null;
    }

    /** The open family {@code key} belongs to, or null. */
    public static Family family(String key) {
        for (Family f : FAMILIES) if (f.matches(key)) return f;
        return null;
    }

    /**
     * Keys earlier releases knew, with what replaced them (named in the error when a config still
     * sets one).
     */
    public static final Map<String, String> REMOVED =
            Map.of(
                    "batch.max.records",
                            "records are no longer grouped per task: the scheduler batches across all tasks; see scheduler.max.batch.tokens",
                    "batch.max.tokens",
                            "the scheduler's device batch budget is scheduler.max.batch.tokens",
                    "batch.max.wait.ms",
                            "how long a record waits for batch-mates is scheduler.max.delay.ms",
                    "scheduler.queue.tokens", "renamed scheduler.max.inflight.tokens",
                    "scheduler.worst.case.batch.ms",
                            "stream threads no longer wait for the device, so there is no flush time budget");

    /** The fixed key closest to {@code key} (for "did you mean" in errors), or null. */
    public static String closest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : DEFINITION.names()) {
            int d = distance(k, key);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 4) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
