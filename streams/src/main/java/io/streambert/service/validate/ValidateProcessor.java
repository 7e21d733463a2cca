package io.streambert.service.validate;

import io.streambert.engine.Encoder;
import io.streambert.engine.InputRejectedException;
import io.streambert.schemas.TextEvent;
import io.streambert.service.ops.ServiceMetrics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import io.streambert.serde.registry.RegistryUnavailableException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * First step after the (bytes) source: decodes the value as a TextEvent, checks it, tokenizes it.
 * Good records go on to the micro-batch as {@link ValidatedText}; bad ones become a DeadLetter (original
 * key and value bytes, topic/partition/offset, reason) forwarded to the dead-letter sink in the same
 * transaction as the input's offset, so a bad record is neither lost nor dead-lettered twice.
 *
 * <p>Decoding happens here rather than in a Kafka deserialization exception handler (KIP-1034 dead-letter
 * queue) because the handler's DLQ record carries the raw bytes with exception headers, not our DeadLetter
 * schema with a reason code, and because checks beyond decoding (empty, too long, too many tokens) need
 * the same path anyway.
 */
public final class ValidateProcessor extends ContextualProcessor<byte[], byte[], byte[], Object> {
    private final Deserializer<TextEvent> deserializer;
    private final Encoder encoder;
    private final int textMaxBytes;
    private final String batchChild;
    private final String deadLetterChild;
    private final ServiceMetrics metrics;
    private final TextHasher hasher;

    public ValidateProcessor(Deserializer<TextEvent> deserializer, Encoder encoder, int textMaxBytes,
                             String batchChild, String deadLetterChild, ServiceMetrics metrics) {
        this(deserializer, encoder, textMaxBytes, batchChild, deadLetterChild, metrics, TextHasher.unkeyed());
    }

    /** With {@code hasher} for text_sha256 (HMAC-SHA256 when text.hash.key is set). */
    public ValidateProcessor(Deserializer<TextEvent> deserializer, Encoder encoder, int textMaxBytes,
                             String batchChild, String deadLetterChild, ServiceMetrics metrics, TextHasher hasher) {
        this.deserializer = deserializer;
        this.encoder = encoder;
        this.textMaxBytes = textMaxBytes;
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
        if (value == null) {
            dead(record, topic, partition, offset, Reason.UNDECODABLE, "record has no value (null / tombstone)");
            return;
        }
        TextEvent event;
        try {
            event = deserializer.deserialize(topic, value);
        } catch (RuntimeException e) {
            if (isRegistryOutage(e)) throw e; // not the record's fault: fail the task, retry after restart
            Reason reason = DecodeFailures.classify(value);
            dead(record, topic, partition, offset, reason, "cannot decode a TextEvent: " + e.getMessage());
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
        if (text == null || text.isBlank()) {
            dead(record, topic, partition, offset, Reason.EMPTY_TEXT, "TextEvent " + event.getId() + ": text is empty");
            return;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > textMaxBytes) {
            dead(record, topic, partition, offset, Reason.TEXT_TOO_LONG, "TextEvent " + event.getId() + ": text is "
                    + utf8.length + " bytes of UTF-8, more than text.max.bytes=" + textMaxBytes);
            return;
        }
        int[] ids;
        try {
            ids = encoder.tokenize(text);
        } catch (InputRejectedException e) {
            dead(record, topic, partition, offset, Reason.TOO_MANY_TOKENS, "TextEvent " + event.getId() + ": " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            // A tokenizer bug on one odd text must not stop the partition (it would fail again on every retry).
            dead(record, topic, partition, offset, Reason.INFERENCE_FAILED, "TextEvent " + event.getId() + ": tokenizer failed: " + e);
            return;
        }
        Map<String, String> attributes = event.getAttributes() == null ? Map.of() : Map.copyOf(event.getAttributes());
        ValidatedText v = new ValidatedText(record.key(), value, topic, partition, offset, record.timestamp(),
                event.getId(), event.getTenant(), event.getEventTime(), attributes, hasher.hex(utf8), ids);
        context().forward(record.withValue((Object) v), batchChild);
    }

    private void dead(Record<byte[], byte[]> record, String topic, int partition, long offset, Reason reason, String message) {
        metrics.deadLetter(reason);
        long now = context().currentSystemTimeMs();
        context().forward(record.withValue((Object) DeadLetters.of(record.key(), record.value(), topic, partition, offset, reason, message, now)),
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
