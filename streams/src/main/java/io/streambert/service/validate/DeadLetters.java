package io.streambert.service.validate;

import io.streambert.service.deadletter.Reason;

import io.streambert.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds DeadLetter records: the original bytes and position kept whole, plus the reason. */
public final class DeadLetters {
    private DeadLetters() {}

    public static DeadLetter of(byte[] key, byte[] value, String topic, int partition, long offset,
                                Reason reason, String message, long nowMillis) {
        return DeadLetter.newBuilder()
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setTopic(topic == null ? "" : topic)
                .setPartition(partition)
                .setOffset(offset)
                .setErrorClass(reason.name())
                .setErrorMessage(message == null ? reason.name() : message)
                .setTime(Instant.ofEpochMilli(nowMillis))
                .build();
    }

    public static DeadLetter of(ValidatedText t, Reason reason, String message, long nowMillis) {
        return of(t.key(), t.value(), t.topic(), t.partition(), t.offset(), reason, message, nowMillis);
    }
}
