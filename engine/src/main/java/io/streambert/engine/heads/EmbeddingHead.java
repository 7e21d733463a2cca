package io.streambert.engine.heads;

/**
 * Sentence embedding: pool the final hidden states (mean over all tokens by default, or [CLS]),
 * keep the first {@code dim} values (Matryoshka; dim = hidden for the full vector) and
 * L2-normalise.
 */
public final class EmbeddingHead {
    private final Pooling pooling;
    private final int hidden;
    private final int dim;

    public EmbeddingHead(Pooling pooling, int hidden, int dim) {
        if (dim < 1 || dim > hidden)
            throw new IllegalArgumentException(
                    "embedding dimension " + dim + " must be in 1.." + hidden);
        this.pooling = pooling;
        this.hidden = hidden;
        this.dim = dim;
    }

    public Pooling pooling() {
        return pooling;
    }

    public int dim() {
        return dim;
    }

    public float[] embed(float[] states, int start, int len) {
        float[] pooled = new float[hidden];
        pooling.pool(states, start, len, hidden, pooled, 0);
        double norm = 0;
        for (int i = 0; i < dim; i++) norm += (double) pooled[i] * pooled[i];
        double inv =
                norm > 0
                        ? 1.0 / Math.sqrt(norm)
                        : 0.0; // an all-zero vector stays zero rather than NaN
        float[] out = new float[dim];
        for (int i = 0; i < dim; i++) out[i] = (float) (pooled[i] * inv);
        return out;
    }
}
