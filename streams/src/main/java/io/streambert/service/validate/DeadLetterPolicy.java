package io.streambert.service.validate;

import io.streambert.schemas.DeadLetter;
import io.streambert.service.config.InputLimits;
import io.streambert.service.deadletter.Reason;

/**
 * How dead letters are written, the same for validation and inference failures: at most {@code
 * maxPayload} bytes of the key and value, and either the original value or (under {@link
 * DeadLetterText#HASH}) none, with the text's hash in the message instead.
 *
 * @param maxPayload most bytes kept of the key and of the value (dead.letter.max.payload.bytes)
 * @param text what is kept of the value (dead.letter.text)
 * @param hasher the text_sha256 hash (keyed with text.hash.key when set)
 */
public record DeadLetterPolicy(int maxPayload, DeadLetterText text, TextHasher hasher) {
    /** The original value, the default payload limit, unkeyed hash. */
    public static DeadLetterPolicy defaults() {
        return new DeadLetterPolicy(
                InputLimits.defaults().deadLetterPayload(),
                DeadLetterText.ORIGINAL,
                TextHasher.unkeyed());
    }

    /**
     * The dead letter of one input record.
     *
     * @param textSha256 the text's hash when the value decoded to a text, else null (then, under
     *     HASH, the whole value is hashed)
     */
    public DeadLetter build(
            byte[] key,
            byte[] value,
            String topic,
            int partition,
            long offset,
            Reason reason,
            String message,
            long nowMillis,
            String textSha256) {
        if (text == DeadLetterText.ORIGINAL || value == null)
            return DeadLetters.of(
                    key, value, topic, partition, offset, reason, message, nowMillis, maxPayload);
        String hash =
                textSha256 != null
                        ? "text_sha256=" + textSha256
                        : "value_sha256=" + hasher.hex(value);
        // The hash goes first so that cutting a long message never loses it.
        String m = "[value withheld, dead.letter.text=hash; " + hash + "] " + message;
        return DeadLetters.of(
                key, null, topic, partition, offset, reason, m, nowMillis, maxPayload);
    }

    /** The dead-letter record's key: the input key cut to the payload limit. */
    public byte[] recordKey(byte[] key) {
        return key == null ? null : DeadLetters.truncate(key, maxPayload);
    }
}
