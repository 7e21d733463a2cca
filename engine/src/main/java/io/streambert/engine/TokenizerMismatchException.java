package io.streambert.engine;

/**
 * The model's tokenizer produced a token id outside the model's vocabulary: {@code tokenizer.json}
 * does not belong to the checkpoint. Not the input's fault; the message names tokenizer.json, the
 * model and its vocab_size.
 */
public class TokenizerMismatchException extends IllegalStateException {
    public TokenizerMismatchException(String message) {
        super(message);
    }
}
