package io.streambert.service.batch;

import io.streambert.engine.Encoder;
import io.streambert.engine.InputRejectedException;
import io.streambert.engine.TextNormalization;
import io.streambert.schemas.TextEvent;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Makes token ids for a buffered record whose revision differs from the running tokenizer and model
 * (a rolling upgrade, or a buffer written by a release that did not record revisions): decodes the
 * kept input value again and tokenizes its text. Ids made by another tokenizer are never fed to
 * this model.
 */
final class Retokenizer {
    /** New ids, or why the record cannot be tokenized now (it then becomes a dead letter). */
    sealed interface Outcome {}

    record Ids(int[] ids) implements Outcome {}

    record Rejected(boolean tooManyTokens, String message) implements Outcome {}

    private final Deserializer<TextEvent> deserializer;
    private final Encoder encoder;
    private final boolean normalize;

    /**
     * @param normalize read the text as validation does ({@link
     *     TextNormalization#forClassification}) before tokenizing
     */
    Retokenizer(Deserializer<TextEvent> deserializer, Encoder encoder, boolean normalize) {
        this.deserializer = deserializer;
        this.encoder = encoder;
        this.normalize = normalize;
    }

    Outcome retokenize(BufferedRecord r) {
        try {
            TextEvent e = deserializer.deserialize(r.text().topic(), r.text().value());
            if (e == null || e.getText() == null)
                return new Rejected(false, "buffered value no longer decodes to a text");
            String text =
                    normalize ? TextNormalization.forClassification(e.getText()) : e.getText();
            return new Ids(encoder.tokenize(text));
        } catch (InputRejectedException e) {
            return new Rejected(true, "re-tokenized after an upgrade: " + e.getMessage());
        } catch (RuntimeException e) {
            return new Rejected(
                    false, "cannot re-tokenize the buffered value after an upgrade: " + e);
        }
    }
}
