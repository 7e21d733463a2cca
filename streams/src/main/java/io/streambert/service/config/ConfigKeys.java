package io.streambert.service.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every key the service understands, its default and a one-line meaning, in one place: the loader
 * rejects keys not listed here (typos fail at start-up, not silently), and docs/SERVICE.md mirrors
 * this list.
 *
 * <p>Keys use dots only so that each maps to exactly one environment variable (see {@link
 * EnvOverrides}). Four families are open-ended: {@code kafka.*} (passed to the Kafka clients),
 * {@code registry.*} (passed to the schema-registry client, e.g. {@code
 * registry.basic.auth.user.info}), {@code threshold.<label>} and {@code topic.route.<label>}.
 */
public final class ConfigKeys {
    private ConfigKeys() {}

    public static final String APPLICATION_ID = "application.id";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
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
    public static final String BATCH_FORWARD_INTERVAL_MS = "batch.forward.interval.ms";
    public static final String SCHEDULER_MAX_BATCH_TOKENS = "scheduler.max.batch.tokens";
    public static final String SCHEDULER_MAX_BATCH_SEQUENCES = "scheduler.max.batch.sequences";
    public static final String SCHEDULER_MAX_DELAY_MS = "scheduler.max.delay.ms";
    public static final String SCHEDULER_MAX_INFLIGHT_TOKENS = "scheduler.max.inflight.tokens";
    public static final String SCHEDULER_ADMISSION_WAIT_MS = "scheduler.admission.wait.ms";
    public static final String SCHEDULER_RETRY_BACKOFF_MS = "scheduler.retry.backoff.ms";
    public static final String SCHEDULER_RETRY_BACKOFF_MAX_MS = "scheduler.retry.backoff.max.ms";
    public static final String DEVICE_FAULT_EXIT = "device.fault.exit";
    public static final String HEALTH_MAX_DEVICE_STALL_MS = "health.max.device.stall.ms";
    public static final String HEALTH_MAX_THREAD_REPLACEMENTS = "health.max.thread.replacements";
    public static final String HEALTH_MAX_BUFFERED_AGE_MS = "health.max.buffered.age.ms";
    public static final String THRESHOLD_PREFIX = "threshold.";
    public static final String THRESHOLD_DEFAULT = "threshold.default";
    public static final String LABELS_SAFE = "labels.safe";
    public static final String PROCESSING_GUARANTEE = "processing.guarantee";
    public static final String NUM_STREAM_THREADS = "num.stream.threads";
    public static final String STATE_DIR = "state.dir";
    public static final String HTTP_PORT = "http.port";

    /**
     * Address the ops endpoints listen on: localhost by default; the container image sets 0.0.0.0.
     */
    public static final String HTTP_BIND_ADDRESS = "http.bind.address";

    /**
     * Secret key of the HMAC behind text_sha256 (a PASSWORD in {@link SecretKeys#OWN}); empty =
     * plain SHA-256.
     */
    public static final String TEXT_HASH_KEY = "text.hash.key";

    public static final String PROGRESS_INTERVAL_MS = "progress.interval.ms";
    public static final String KAFKA_PREFIX = "kafka.";
    public static final String REGISTRY_PREFIX = "registry.";

    /**
     * Fixed keys with their defaults ("" = unset / turned off). Insertion order is documentation
     * order.
     */
    public static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(APPLICATION_ID, "streambert");
        d.put(BOOTSTRAP_SERVERS, "localhost:9092");
        d.put(TOPIC_INPUT, "text-events");
        d.put(TOPIC_MODERATION, "moderation-events");
        d.put(TOPIC_EMBEDDING, "embedding-events");
        d.put(TOPIC_DEAD_LETTER, "streambert-dead-letters");
        d.put(TOPIC_REVIEW, "");
        d.put(TOPICS_CREATE, "true");
        d.put(TOPICS_PARTITIONS, "3");
        d.put(TOPICS_REPLICATION_FACTOR, "-1");
        d.put(FORMAT_OUTPUT, "avro");
        d.put(SCHEMA_REGISTRY_URL, "");
        d.put(FORMAT_JSON_COLLECTION, "");
        d.put(MODEL_DIR, "");
        d.put(MODEL_DEVICE, "auto");
        d.put(MODEL_MAX_TOKENS, "0");
        d.put(MODEL_TRUNCATION, "truncate");
        d.put(MODEL_EMBEDDING_DIM, "0");
        d.put(MODEL_THREADS, "0");
        d.put(MODEL_PRECISION, "fp32");
        d.put(TEXT_MAX_BYTES, "65536");
        d.put(INPUT_MAX_VALUE_BYTES, "262144");
        d.put(INPUT_MAX_KEY_BYTES, "4096");
        d.put(INPUT_MAX_ID_BYTES, "1024");
        d.put(INPUT_MAX_ATTRIBUTES, "64");
        d.put(INPUT_MAX_ATTRIBUTES_BYTES, "16384");
        d.put(DEAD_LETTER_MAX_PAYLOAD_BYTES, "65536");
        d.put(BATCH_FORWARD_INTERVAL_MS, "10");
        d.put(SCHEDULER_MAX_BATCH_TOKENS, "16384");
        d.put(SCHEDULER_MAX_BATCH_SEQUENCES, "256");
        d.put(SCHEDULER_MAX_DELAY_MS, "20");
        d.put(SCHEDULER_MAX_INFLIGHT_TOKENS, "131072");
        d.put(SCHEDULER_ADMISSION_WAIT_MS, "100");
        d.put(SCHEDULER_RETRY_BACKOFF_MS, "100");
        d.put(SCHEDULER_RETRY_BACKOFF_MAX_MS, "10000");
        d.put(DEVICE_FAULT_EXIT, "true");
        d.put(HEALTH_MAX_DEVICE_STALL_MS, "120000");
        d.put(HEALTH_MAX_THREAD_REPLACEMENTS, "3");
        d.put(HEALTH_MAX_BUFFERED_AGE_MS, "600000");
        d.put(THRESHOLD_DEFAULT, "0.5");
        d.put(LABELS_SAFE, "safe,ham,ok,neutral,none,clean,benign,non-toxic,non_toxic,not_toxic");
        d.put(PROCESSING_GUARANTEE, "exactly_once_v2");
        d.put(NUM_STREAM_THREADS, "1");
        d.put(STATE_DIR, "");
        d.put(HTTP_PORT, "8080");
        d.put(HTTP_BIND_ADDRESS, "localhost");
        d.put(TEXT_HASH_KEY, "");
        d.put(PROGRESS_INTERVAL_MS, "10000");
        DEFAULTS = Map.copyOf(d);
        ORDER = Set.copyOf(d.keySet());
    }

    private static final Set<String> ORDER;

    /** True for a key the service knows, fixed or from an open family. */
    public static boolean isKnown(String key) {
        return ORDER.contains(key)
                || (key.startsWith(KAFKA_PREFIX) && key.length() > KAFKA_PREFIX.length())
                || (key.startsWith(REGISTRY_PREFIX) && key.length() > REGISTRY_PREFIX.length())
                || (key.startsWith(THRESHOLD_PREFIX) && key.length() > THRESHOLD_PREFIX.length())
                || (key.startsWith(TOPIC_ROUTE_PREFIX)
                        && key.length() > TOPIC_ROUTE_PREFIX.length());
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
        for (String k : ORDER) {
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
