package io.streambert.service.config;

/**
 * Size bounds checked at validation, so that nothing that passes validation can fail later because
 * of its size: the buffered copy, the outputs and the dead letters built from a record all stay
 * below what the producer and the topics accept (checked at start-up by {@code SizeBudget}).
 *
 * @param valueBytes whole input value (the encoded TextEvent)
 * @param keyBytes input record key
 * @param idBytes the event's id, UTF-8
 * @param attributes number of attributes
 * @param attributesBytes UTF-8 bytes of all attribute keys and values together
 * @param textBytes the text, UTF-8 ({@code text.max.bytes})
 * @param deadLetterPayload a dead letter keeps at most this many bytes of the original key and of
 *     the value
 * @param headersBytes names and values of the input headers every output copies, together
 */
public record InputLimits(
        int valueBytes,
        int keyBytes,
        int idBytes,
        int attributes,
        int attributesBytes,
        int textBytes,
        int deadLetterPayload,
        int headersBytes) {

    /** Limits for tests and tools that build a topology without a config file. */
    public static InputLimits defaults() {
        return new InputLimits(262_144, 4096, 1024, 64, 16_384, 65_536, 65_536, 16_384);
    }
}
