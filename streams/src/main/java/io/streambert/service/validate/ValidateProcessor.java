package io.streambert.service.validate;

import io.streambert.engine.EmptyText;
import io.streambert.engine.Encoder;
import io.streambert.engine.InputRejectedException;
import io.streambert.engine.TextNormalization;
import io.streambert.schemas.TextEvent;
import io.streambert.serde.UnknownFingerprintException;
import io.streambert.serde.json.Utf8Check;
import io.streambert.serde.registry.RegistryUnavailableException;
import io.streambert.service.config.InputLimits;
import io.streambert.service.config.InvalidTimestampExtractor;
import io.streambert.service.deadletter.Reason;
import io.streambert.service.ops.ServiceMetrics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First step after the (bytes) source: decodes the value as a TextEvent, checks it, tokenizes it.
 * Good records go on to the micro-batch as {@link ValidatedText}; bad ones become a DeadLetter
 * (original key and value bytes, topic/partition/offset, reason) forwarded to the dead-letter sink
 * in the same transaction as the input's offset, so a bad record is neither lost nor dead-lettered
 * twice.
 *
 * <p>Decoding happens here rather than in a Kafka deserialization exception handler (KIP-1034
 * dead-letter queue) because the handler's DLQ record carries the raw bytes with exception headers,
 * not our DeadLetter schema with a reason code, and because checks beyond decoding (empty, too
 * long, too many tokens) need the same path anyway.
 *
 * <p>What is checked, in order: key and value sizes, timestamps, decoding (see {@link
 * DecodeFailures} for UNDECODABLE vs BAD_SCHEMA), that every string is Unicode (no lone surrogate,
 * whatever decoder produced it: BAD_SCHEMA naming the field), id and attribute sizes, event_time,
 * emptiness ({@link EmptyText}: only whitespace and default-ignorable code points, also after
 * normalization), the text's UTF-8 length, and the token count of the text as the model reads it
 * ({@link TextNormalization} when {@link ValidationOptions#normalizeText()}).
 *
 * <p>A schema registry that gives no usable answer, or an unknown schema under the pause policy, is
 * not the record's fault: the record is retried in place for {@link
 * ValidationOptions#pauseRetryMs()}, then the task fails with {@link InputPausedException} so the
 * record is read again; it is never dead-lettered.
 */
public final class ValidateProcessor extends ContextualProcessor<byte[], byte[], byte[], Object> {
    private static final Logger log = LoggerFactory.getLogger(ValidateProcessor.class);

    private final Deserializer<TextEvent> deserializer;
    private final Encoder encoder;
    private final InputLimits limits;
    private final String batchChild;
    private final String deadLetterChild;
    private final ServiceMetrics metrics;
    private final TextHasher hasher;
    private final ValidationOptions options;
    private final DeadLetterPolicy deadLetters;

    /**
     * Unkeyed text_sha256 and default {@link ValidationOptions}: what the tests' topologies use.
     */
    public ValidateProcessor(
            Deserializer<TextEvent> deserializer,
            Encoder encoder,
            InputLimits limits,
            String batchChild,
            String deadLetterChild,
            ServiceMetrics metrics) {
        this(
                deserializer,
                encoder,
                limits,
                batchChild,
                deadLetterChild,
                metrics,
                TextHasher.unkeyed(),
                ValidationOptions.defaults());
    }

    /**
     * With {@code hasher} for text_sha256 (HMAC-SHA256 when text.hash.key is set) and {@code
     * options} (normalization, headers, dead-letter text, pause retry).
     */
    public ValidateProcessor(
            Deserializer<TextEvent> deserializer,
            Encoder encoder,
            InputLimits limits,
            String batchChild,
            String deadLetterChild,
            ServiceMetrics metrics,
            TextHasher hasher,
            ValidationOptions options) {
        this.options = options;
        this.deadLetters =
                new DeadLetterPolicy(limits.deadLetterPayload(), options.deadLetterText(), hasher);
        this.deserializer = deserializer;
        this.encoder = encoder;
        this.limits = limits;
        this.batchChild = batchChild;
        this.deadLetterChild = deadLetterChild;
        this.metrics = metrics;
        this.hasher = hasher;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.recordIn();
        RecordMetadata meta = context().recordMetadata().orElse(null);
        String topic = meta == null ? "" : meta.topic();
        int partition = meta == null ? -1 : meta.partition();
        long offset = meta == null ? -1 : meta.offset();
        ValidatedText v;
        try {
            v = validate(record, topic, partition, offset);
        } catch (Rejected r) {
            dead(
                    r.dropHeaders ? record.withHeaders(new RecordHeaders()) : record,
                    topic,
                    partition,
                    offset,
                    r.reason,
                    r.getMessage(),
                    r.textSha256);
            return;
        }
        context().forward(record.withValue((Object) v), batchChild);
    }

    /**
     * Every check, in order; the first that fails throws the dead letter's reason and message. The
     * registry's pause ({@link InputPausedException}) is not a rejection and propagates.
     */
    private ValidatedText validate(
            Record<byte[], byte[]> record, String topic, int partition, long offset)
            throws Rejected {
        byte[] value = record.value();
        byte[] key = record.key();
        if (key != null && key.length > limits.keyBytes()) {
            throw new Rejected(
                    Reason.TOO_LARGE,
                    "record key is "
                            + key.length
                            + " bytes, more than input.max.key.bytes="
                            + limits.keyBytes());
        }
        if (value != null && value.length > limits.valueBytes()) {
            throw new Rejected(
                    Reason.TOO_LARGE,
                    "record value is "
                            + value.length
                            + " bytes, more than input.max.value.bytes="
                            + limits.valueBytes());
        }
        Headers copied = options.headers().filter(record.headers());
        long headerBytes = HeaderPolicy.bytes(copied);
        if (headerBytes > limits.headersBytes()) {
            // Its dead letter carries no headers: they are what is too large.
            throw Rejected.withoutHeaders(
                    Reason.TOO_LARGE,
                    "record headers to copy hold "
                            + headerBytes
                            + " bytes, more than input.max.headers.bytes="
                            + limits.headersBytes());
        }
        Long invalid =
                InvalidTimestampExtractor.originalTimestamp(
                        record.headers().lastHeader(InvalidTimestampExtractor.HEADER));
        if (invalid != null) {
            throw new Rejected(
                    Reason.BAD_TIMESTAMP,
                    "record timestamp "
                            + invalid
                            + " ms is outside years 1-9999 ("
                            + Timestamps.RANGE
                            + ")");
        }
        if (!Timestamps.inRange(record.timestamp())) {
            throw new Rejected(
                    Reason.BAD_TIMESTAMP,
                    "record timestamp "
                            + record.timestamp()
                            + " ms is outside years 1-9999 ("
                            + Timestamps.RANGE
                            + ")");
        }
        if (value == null) {
            throw new Rejected(Reason.UNDECODABLE, "record has no value (null / tombstone)");
        }
        TextEvent event;
        try {
            event = decode(topic, value);
        } catch (InputPausedException e) {
            throw e; // not the record's fault: fail the task, read the record again
        } catch (RuntimeException e) {
            Reason reason = DecodeFailures.classify(value);
            String field = DecodeFailures.field(e);
            throw new Rejected(
                    reason,
                    "cannot decode a TextEvent"
                            + (field == null ? "" : " (field " + field + ")")
                            + ": "
                            + e.getMessage());
        }
        if (event == null) {
            throw new Rejected(Reason.UNDECODABLE, "value decoded to nothing");
        }
        String text = event.getText();
        if (event.getId() == null) {
            throw new Rejected(
                    Reason.BAD_SCHEMA, "field TextEvent.id is missing: a TextEvent needs an id");
        }
        String notUnicode = loneSurrogate(event);
        if (notUnicode != null) {
            throw new Rejected(Reason.BAD_SCHEMA, notUnicode);
        }
        String sizeProblem = sizeProblem(event);
        if (sizeProblem != null) {
            throw new Rejected(Reason.TOO_LARGE, sizeProblem);
        }
        byte[] utf8 = text == null ? null : text.getBytes(StandardCharsets.UTF_8);
        String textSha256 = utf8 == null ? null : hasher.hex(utf8);
        if (event.getEventTime() != null && !Timestamps.inRange(event.getEventTime())) {
            throw new Rejected(
                    Reason.BAD_TIMESTAMP,
                    "TextEvent "
                            + Timestamps.shorten(event.getId())
                            + ": field TextEvent.event_time "
                            + event.getEventTime()
                            + " is outside years 1-9999 ("
                            + Timestamps.RANGE
                            + ")",
                    textSha256);
        }
        if (EmptyText.isEmpty(text)) {
            throw new Rejected(
                    Reason.EMPTY_TEXT,
                    "TextEvent "
                            + event.getId()
                            + ": field TextEvent.text is empty (no characters, or only whitespace"
                            + " and invisible default-ignorable code points)",
                    textSha256);
        }
        if (utf8.length > limits.textBytes()) {
            throw new Rejected(
                    Reason.TEXT_TOO_LONG,
                    "TextEvent "
                            + event.getId()
                            + ": field TextEvent.text is "
                            + utf8.length
                            + " bytes of UTF-8, more than text.max.bytes="
                            + limits.textBytes(),
                    textSha256);
        }
        String read = options.normalizeText() ? TextNormalization.forClassification(text) : text;
        if (EmptyText.isEmpty(read)) {
            throw new Rejected(
                    Reason.EMPTY_TEXT,
                    "TextEvent "
                            + event.getId()
                            + ": field TextEvent.text is empty after text.normalize",
                    textSha256);
        }
        int[] ids;
        try {
            ids = encoder.tokenize(read);
        } catch (InputRejectedException e) {
            throw new Rejected(
                    Reason.TOO_MANY_TOKENS,
                    "TextEvent " + event.getId() + ": " + e.getMessage(),
                    textSha256);
        } catch (RuntimeException e) {
            // A tokenizer bug on one odd text must not stop the partition (it would fail again on
            // every retry).
            throw new Rejected(
                    Reason.INFERENCE_FAILED,
                    "TextEvent " + event.getId() + ": tokenizer failed: " + e,
                    textSha256);
        }
        Map<String, String> attributes =
                event.getAttributes() == null ? Map.of() : Map.copyOf(event.getAttributes());
        ValidatedText v =
                new ValidatedText(
                        record.key(),
                        value,
                        topic,
                        partition,
                        offset,
                        record.timestamp(),
                        event.getId(),
                        event.getTenant(),
                        event.getEventTime(),
                        attributes,
                        textSha256,
                        ids,
                        copied);
        return v;
    }

    /**
     * Decodes {@code value}; while the registry gives no usable answer (or the schema is unknown
     * under the pause policy) waits as its backoff asks and tries again, for at most {@link
     * ValidationOptions#pauseRetryMs()}, then throws {@link InputPausedException}.
     */
    private TextEvent decode(String topic, byte[] value) {
        long deadline = System.nanoTime() + options.pauseRetryMs() * 1_000_000L;
        for (int attempt = 1; ; attempt++) {
            RuntimeException pause;
            try {
                return deserializer.deserialize(topic, value);
            } catch (RuntimeException e) {
                pause = pauseCause(e);
                if (pause == null) throw e; // the record's own fault (or a bug): dead-letter it
            }
            String cause =
                    pause instanceof UnknownFingerprintException
                            ? "unknown-fingerprint"
                            : "registry-unavailable";
            metrics.inputPaused(cause);
            long left = deadline - System.nanoTime();
            long waitMs =
                    pause instanceof RegistryUnavailableException r
                            ? Math.max(50, r.retryAfter().toMillis())
                            : 1_000;
            if (left <= 0 || waitMs * 1_000_000L > left) {
                log.warn(
                        "input paused ({}): {}; the task fails and reads the record again, it is not dead-lettered",
                        cause,
                        pause.getMessage());
                throw new InputPausedException(
                        cause,
                        "TextEvent cannot be validated yet ("
                                + cause
                                + ", "
                                + attempt
                                + " attempts): "
                                + pause.getMessage(),
                        pause);
            }
            if (attempt == 1)
                log.warn("input paused ({}), retrying: {}", cause, pause.getMessage());
            try {
                Thread.sleep(waitMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InputPausedException(cause, "interrupted while paused", pause);
            }
        }
    }

    /** The registry outage or unknown schema (pause policy) behind {@code e}, or null. */
    private static RuntimeException pauseCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause())
            if (t instanceof RegistryUnavailableException
                    || t instanceof UnknownFingerprintException) return (RuntimeException) t;
        return null;
    }

    /**
     * Names the first string field holding a lone surrogate (not Unicode, no UTF-8 form: it would
     * be written as '?'), or null. The decoders reject these already; this holds for any decoder.
     */
    private static String loneSurrogate(TextEvent e) {
        String where = surrogateIn(e.getId(), "TextEvent.id");
        if (where == null) where = surrogateIn(e.getText(), "TextEvent.text");
        if (where == null) where = surrogateIn(e.getTenant(), "TextEvent.tenant");
        if (where == null && e.getAttributes() != null)
            for (Map.Entry<String, String> a : e.getAttributes().entrySet()) {
                String name = "TextEvent.attributes." + Timestamps.shorten(a.getKey());
                where = surrogateIn(a.getKey(), name + " (key)");
                if (where == null) where = surrogateIn(a.getValue(), name);
                if (where != null) break;
            }
        return where;
    }

    private static String surrogateIn(String s, String field) {
        if (s == null) return null;
        int at = Utf8Check.firstUnpairedSurrogate(s);
        return at < 0
                ? null
                : "field "
                        + field
                        + " has an unpaired surrogate "
                        + String.format("\\u%04x", (int) s.charAt(at))
                        + " at character "
                        + at
                        + " (not valid Unicode)";
    }

    /** Why the id or the attributes are too large, or null. */
    private String sizeProblem(TextEvent event) {
        int idBytes = utf8Length(event.getId());
        if (idBytes > limits.idBytes())
            return "TextEvent id is "
                    + idBytes
                    + " bytes of UTF-8, more than input.max.id.bytes="
                    + limits.idBytes();
        Map<String, String> a = event.getAttributes();
        if (a == null) return null;
        if (a.size() > limits.attributes())
            return "TextEvent "
                    + event.getId()
                    + ": "
                    + a.size()
                    + " attributes, more than input.max.attributes="
                    + limits.attributes();
        long bytes = 0;
        for (Map.Entry<String, String> e : a.entrySet())
            bytes += utf8Length(e.getKey()) + utf8Length(e.getValue());
        if (bytes > limits.attributesBytes())
            return "TextEvent "
                    + event.getId()
                    + ": attributes hold "
                    + bytes
                    + " bytes of UTF-8, more than input.max.attributes.bytes="
                    + limits.attributesBytes();
        return null;
    }

    private static int utf8Length(String s) {
        if (s == null) return 0;
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n += 1;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }

    /**
     * @param textSha256 the text's hash once the value decoded, else null
     */
    private void dead(
            Record<byte[], byte[]> record,
            String topic,
            int partition,
            long offset,
            Reason reason,
            String message,
            String textSha256) {
        metrics.deadLetter(reason);
        long now = context().currentSystemTimeMs();
        int max = limits.deadLetterPayload();
        byte[] key =
                record.key() == null
                        ? null
                        : DeadLetters.truncate(record.key(), Math.min(max, limits.keyBytes()));
        Headers headers = options.headers().filter(record.headers());
        // Output timestamps must be ones the broker and every output format accept.
        long ts = Timestamps.inRange(record.timestamp()) ? record.timestamp() : now;
        context()
                .forward(
                        new Record<byte[], Object>(
                                key,
                                deadLetters.build(
                                        record.key(),
                                        record.value(),
                                        topic,
                                        partition,
                                        offset,
                                        reason,
                                        message,
                                        now,
                                        textSha256),
                                ts,
                                headers),
                        deadLetterChild);
    }

    /** Why a record goes to the dead-letter topic: thrown by a check, caught once by process. */
    private static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        final Reason reason;
        final String textSha256; // the text's hash once the value decoded, else null
        final boolean dropHeaders; // the headers themselves are the problem: not copied

        Rejected(Reason reason, String message) {
            this(reason, message, null, false);
        }

        Rejected(Reason reason, String message, String textSha256) {
            this(reason, message, textSha256, false);
        }

        private Rejected(Reason reason, String message, String textSha256, boolean dropHeaders) {
            super(message, null, false, false); // control flow: no stack trace
            this.reason = reason;
            this.textSha256 = textSha256;
            this.dropHeaders = dropHeaders;
        }

        static Rejected withoutHeaders(Reason reason, String message) {
            return new Rejected(reason, message, null, true);
        }
    }

    static String sha256(byte[] utf8) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(utf8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
