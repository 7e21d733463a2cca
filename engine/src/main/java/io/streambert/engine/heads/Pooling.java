package io.streambert.engine.heads;

/**
 * How one sequence's token states [len, dim] become one vector: the [CLS] state, or the mean over
 * all tokens.
 */
public enum Pooling {
    CLS,
    MEAN;

    /**
     * "cls" or "mean" (any case); anything else is an IllegalArgumentException naming {@code what}.
     */
    public static Pooling parse(String s, String what) {
        if (s != null) {
            switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "cls" -> {
                    return CLS;
                }
                case "mean" -> {
                    return MEAN;
                }
                default -> {}
            }
        }
        throw new IllegalArgumentException(
                what + ": pooling '" + s + "' is not supported (cls | mean)");
    }

    /**
     * out[dim] = pooled hidden[start .. start+len) rows; mean accumulates in double (batch-position
     * independent).
     */
    public void pool(float[] hidden, int start, int len, int dim, float[] out, int outOffset) {
        if (this == CLS) {
            System.arraycopy(hidden, start * dim, out, outOffset, dim);
            return;
        }
        for (int d = 0; d < dim; d++) {
            double s = 0;
            for (int t = start; t < start + len; t++) s += hidden[t * dim + d];
            out[outOffset + d] = (float) (s / len);
        }
    }
}
