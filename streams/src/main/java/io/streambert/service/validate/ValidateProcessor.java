package io.streambert.service.validate;

import io.streambert.engine.Encoder;
import io.streambert.engine.InputRejectedException;
import io.streambert.schemas.TextEvent;
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
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

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
 */
public final class ValidateProcessor extends ContextualProcessor<byte[], byte[], byte[], Object> {
    private final Deserializer<TextEvent> deserializer;
    private final Encoder encoder;
    private final InputLimits limits;
    private final String batchChild;
    private final String deadLetterChild;
    private final ServiceMetrics metrics;
    private final TextHasher hasher;

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
                TextHasher.unkeyed());
    }

    /** With {@code hasher} for text_sha256 (HMAC-SHA256 when text.hash.key is set). */
    public ValidateProcessor(
            Deserializer<TextEvent> deserializer,
            Encoder encoder,
            InputLimits limits,
            String batchChild,
            String deadLetterChild,
            ServiceMetrics metrics,
            TextHasher hasher) {
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
        byte[] value = record.value();
        byte[] key = record.key();
        if (key != null && key.length > limits.keyBytes()) {
            dead(
                    record,
                    topic,
                    partition,
                    offset,
                    Reason.TOO_LARGE,
                    "record key is "
                            + key.length
                            + " bytes, more than input.max.key.bytes="
                            + limits.keyBytes());
            return;
        }
        if (value != null && value.length > limits.valueBytes()) {
            dead(
                    record,
                    topic,
                    partition,
                    offset,
                    Reason.TOO_LARGE,
                    "record value is "
                            + value.length
                            + " bytes, more than input.max.value.bytes="
                            + limits.valueBytes());
            return;
        }
        Long invalid =
                InvalidTimestampExtractor.originalTimestamp(
                        record.headers().lastHeader(InvalidTimestampExtractor.HEADER));
        if (invalid != null) {
            dead(
                    record,
                    topic,
                    partition,
                    offset,
                    Reason.BAD_TIMESTAMP,
                    "record timestamp "
                            + invalid
                            + " ms is outside years 1-9999 ("
                            + Timestamps.RANGE
                            + ")");
            return;
        }
        if (!Timestamps.inRange(record.timestamp())) {
            dead(
                    record,
                    topic,
                    partition,
                    offset,
                    Reason.BAD_TIMESTAMP,
                    "record timestamp "
                            + record.timestamp()
                            + " ms is outside years 1-9999 ("
                            + Timestamps.RANGE
                            + ")");
            return;
        }
        if (value == null) {
            dead(
                    record,
                    topic,
                    partition,
                    offset,
                    Reason.UNDECODABLE,
                    "record has no value (null / tombstone)");
            return;
        }
        TextEvent event;
        try {
            event = deserializer.deserialize(topic, value);
        } catch (RuntimeException e) {
            if (isRegistryOutage(e))
                throw e; // not the record's fault: fail the task, retry after restart
            Reason reason = DecodeFailures.classify(value);
            dead(
                    record,
                    topic,
                    partition,
                    offset,
                    reason,
                    "cannot decode a TextEvent: " + e.getMessage());
            return;
        }
        if (event == null) {
            dead(record, topic, partition, offset, Reason.UNDECODABLE, "value decoded to nothing");
            return;
        }
        String text = event.getText();
        if (event.getId() == null) {
            dead(record, topic, partition, offset, Reason.BAD_SCHEMA, "TextEvent has no id");
            return;
        }
        String sizeProblem = sizeProblem(event);
        if (sizeProblem != null) {
            dead(record, topic, partition, offset, Reason.TOO_LARGE, sizeProblem);
            return;
        }
        if (event.getEventTime() != null && !Timestamps.inRange(event.getEventTime())) {
            dead(
                    record,
                    topic,
                    partition,
                    offset,
                    Reason.BAD_TIMESTAMP,
                    "TextEvent "
                            + Timestamps.shorten(event.getId())
                            + ": event_time "
                            + event.getEventTime()
                            + " is outside years 1-9999 ("
                            + Timestamps.RANGE
                            + ")");
            return;
        }
        if (text == null || text.isBlank()) {
            dead(
                    record,
                    topic,
                    partition,
                    offset,
                    Reason.EMPTY_TEXT,
                    "TextEvent " + event.getId() + ": text is empty");
            return;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > limits.textBytes()) {
            dead(
                    record,
                    topic,
                    partition,
                    offset,
                    Reason.TEXT_TOO_LONG,
                    "TextEvent "
                            + event.getId()
                            + ": text is "
                            + utf8.length
                            + " bytes of UTF-8, more than text.max.bytes="
                            + limits.textBytes());
            return;
        }
        int[] ids;
        try {
            ids = encoder.tokenize(text);
        } catch (InputRejectedException e) {
            dead(
                    record,
                    topic,
                    partition,
                    offset,
                    Reason.TOO_MANY_TOKENS,
                    "TextEvent " + event.getId() + ": " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            // A tokenizer bug on one odd text must not stop the partition (it would fail again on
            // every retry).
            dead(
                    record,
                    topic,
                    partition,
                    offset,
                    Reason.INFERENCE_FAILED,
                    "TextEvent " + event.getId() + ": tokenizer failed: " + e);
            return;
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
                        hasher.hex(utf8),
                        ids);
        context().forward(record.withValue((Object) v), batchChild);
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

    private void dead(
            Record<byte[], byte[]> record,
            String topic,
            int partition,
            long offset,
            Reason reason,
            String message) {
        metrics.deadLetter(reason);
        long now = context().currentSystemTimeMs();
        int max = limits.deadLetterPayload();
        byte[] key =
                record.key() == null
                        ? null
                        : DeadLetters.truncate(record.key(), Math.min(max, limits.keyBytes()));
        // Output timestamps must be ones the broker and every output format accept.
        long ts = Timestamps.inRange(record.timestamp()) ? record.timestamp() : now;
        context()
                .forward(
                        new Record<byte[], Object>(
                                key,
                                DeadLetters.of(
                                        record.key(),
                                        record.value(),
                                        topic,
                                        partition,
                                        offset,
                                        reason,
                                        message,
                                        now,
                                        max),
                                ts,
                                record.headers()),
                        deadLetterChild);
    }

    private static boolean isRegistryOutage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause())
            if (t instanceof RegistryUnavailableException) return true;
        return false;
    }

    static String sha256(byte[] utf8) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(utf8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
