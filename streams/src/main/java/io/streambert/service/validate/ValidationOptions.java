package io.streambert.service.validate;

import io.streambert.service.config.ServiceConfig;
import java.util.Set;

/**
 * Settings of validation beyond the size limits.
 *
 * @param normalizeText tokenize the text after {@link
 *     io.streambert.engine.TextNormalization#forClassification} (default-ignorable code points
 *     removed, then NFKC), so that "i" + U+200B + "diot" reads as "idiot" (text.normalize; on by
 *     default). The hash and the length limit always apply to the text as sent.
 * @param headers which input headers outputs and dead letters carry (output.headers.*)
 * @param deadLetterText what dead letters keep of the value (dead.letter.text)
 * @param pauseRetryMs how long one record may hold the stream thread while the schema registry is
 *     unavailable (or, under unknown.fingerprint.policy=pause, its schema is unknown), retrying as
 *     the registry client's backoff allows, before the task fails with {@link InputPausedException}
 *     and processes the record again on a fresh thread (input.pause.retry.ms). Never dead-lettered
 *     either way.
 */
public record ValidationOptions(
        boolean normalizeText,
        HeaderPolicy headers,
        DeadLetterText deadLetterText,
        long pauseRetryMs) {
    public static final long DEFAULT_PAUSE_RETRY_MS = 5_000;

    /** From the service configuration's validation section. */
    public static ValidationOptions from(ServiceConfig.Validation v) {
        return new ValidationOptions(
                v.normalizeText(),
                new HeaderPolicy(v.copyHeaders(), Set.copyOf(v.headerDeny())),
                v.hashOnlyDeadLetters() ? DeadLetterText.HASH : DeadLetterText.ORIGINAL,
                v.pauseRetryMs());
    }

    /** The configuration's defaults. */
    public static ValidationOptions defaults() {
        return new ValidationOptions(
                true, HeaderPolicy.copyAll(), DeadLetterText.ORIGINAL, DEFAULT_PAUSE_RETRY_MS);
    }

    public ValidationOptions withNormalizeText(boolean on) {
        return new ValidationOptions(on, headers, deadLetterText, pauseRetryMs);
    }

    public ValidationOptions withHeaders(HeaderPolicy h) {
        return new ValidationOptions(normalizeText, h, deadLetterText, pauseRetryMs);
    }

    public ValidationOptions withDeadLetterText(DeadLetterText t) {
        return new ValidationOptions(normalizeText, headers, t, pauseRetryMs);
    }

    public ValidationOptions withPauseRetryMs(long ms) {
        return new ValidationOptions(normalizeText, headers, deadLetterText, ms);
    }
}
