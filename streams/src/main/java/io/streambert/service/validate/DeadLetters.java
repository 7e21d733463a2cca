package io.streambert.service.validate;

import io.streambert.schemas.DeadLetter;
import io.streambert.service.config.InputLimits;
import io.streambert.service.deadletter.Reason;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/**
 * Builds DeadLetter records: the original key and value (each cut to at most the configured payload
 * bytes, so a dead letter is never larger than the producer or the topic accepts), the position
 * (topic/partition/offset, always whole), the reason and a bounded message that says when bytes
 * were cut.
 */
public final class DeadLetters {
    private DeadLetters() {}

    /** Longest error message kept, in characters. */
    public static final int MAX_MESSAGE_CHARS = 2000;

    public static DeadLetter of(
            byte[] key,
            byte[] value,
            String topic,
            int partition,
            long offset,
            Reason reason,
            String message,
            long nowMillis) {
        return of(
                key,
                value,
                topic,
                partition,
                offset,
                reason,
                message,
                nowMillis,
                InputLimits.defaults().deadLetterPayload());
    }

    public static DeadLetter of(
            byte[] key,
            byte[] value,
            String topic,
            int partition,
            long offset,
            Reason reason,
            String message,
            long nowMillis,
            int maxPayload) {
        String m = message == null ? reason.name() : message;
        if (key != null && key.length > maxPayload)
            m += " [key cut from " + key.length + " to " + maxPayload + " bytes]";
        if (value != null && value.length > maxPayload)
            m += " [value cut from " + value.length + " to " + maxPayload + " bytes]";
        if (m.length() > MAX_MESSAGE_CHARS)
            m = m.substring(0, MAX_MESSAGE_CHARS - 14) + " [message cut]";
        return DeadLetter.newBuilder()
                .setKey(key == null ? null : ByteBuffer.wrap(truncate(key, maxPayload)))
                .setValue(value == null ? null : ByteBuffer.wrap(truncate(value, maxPayload)))
                .setTopic(topic == null ? "" : topic)
                .setPartition(partition)
                .setOffset(offset)
                .setErrorClass(reason.name())
                .setErrorMessage(m)
                .setTime(Instant.ofEpochMilli(nowMillis))
                .build();
    }

    public static DeadLetter of(ValidatedText t, Reason reason, String message, long nowMillis) {
        return of(
                t.key(),
                t.value(),
                t.topic(),
                t.partition(),
                t.offset(),
                reason,
                message,
                nowMillis);
    }

    /** The first {@code max} bytes of {@code b} (b itself when it is short enough). */
    public static byte[] truncate(byte[] b, int max) {
        return b.length <= max ? b : Arrays.copyOf(b, max);
    }
}
