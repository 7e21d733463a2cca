package io.streambert.service.batch;

import io.streambert.engine.Encoder;
import io.streambert.engine.InputRejectedException;
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

    Retokenizer(Deserializer<TextEvent> deserializer, Encoder encoder) {
        this.deserializer = deserializer;
        this.encoder = encoder;
    }

    Outcome retokenize(BufferedRecord r) {
        try {
            TextEvent e = deserializer.deserialize(r.text().topic(), r.text().value());
            if (e == null || e.getText() == null)
                return new Rejected(false, "buffered value no longer decodes to a text");
            return new Ids(encoder.tokenize(e.getText()));
        } catch (InputRejectedException e) {
            return new Rejected(true, "re-tokenized after an upgrade: " + e.getMessage());
        } catch (RuntimeException e) {
            return new Rejected(
                    false, "cannot re-tokenize the buffered value after an upgrade: " + e);
        }
    }
}
