package io.streambert.engine;

/**
 * What a backend implements: the forward pass of the encoder over a {@link PackedBatch} (packed ids
 * + cu_seqlens in, final hidden states out), plus the heads where it runs them itself. Everything
 * else (tokenizing, validating, packing, assembling {@link Prediction}s) is {@link Engine}'s, once
 * for every backend. A backend is called from one thread at a time.
 */
public interface Backend extends AutoCloseable {

    /** Where it runs, as {@link ModelInfo#device()} reports it: "cpu", "cuda:0", "emulated". */
    String device();

    /** Runs the encoder on {@code batch} and whatever heads this backend runs itself. */
    Output forward(PackedBatch batch);

    /**
     * The final hidden states (after final_norm) [tokens * hidden], row-major fp32: for tests and
     * tools.
     */
    float[] hiddenStates(PackedBatch batch);

    @Override
    void close();

    /**
     * What {@link #forward} returns. The engine fills in what is null: scores from the logits,
     * embeddings by pooling {@code hidden}.
     *
     * @param hidden final hidden states [tokens * hidden] fp32; may be null when {@code embeddings}
     *     is set
     * @param logits classifier logits [batch][labels]; null when the model has no classifier
     * @param scores softmax or sigmoid of the logits [batch][labels]; null to let the engine
     *     compute them
     * @param embeddings pooled, truncated, L2-normalised embeddings [batch][dim]; null to let the
     *     engine pool hidden
     */
    record Output(float[] hidden, float[][] logits, float[][] scores, float[][] embeddings) {
        public Output {
            if (hidden == null && embeddings == null)
                throw new IllegalArgumentException(
                        "a backend output needs hidden states or embeddings");
            if (scores != null && logits == null)
                throw new IllegalArgumentException("scores without logits");
        }
    }
}
