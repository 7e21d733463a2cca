package io.streambert.gpu.kernels;

/**
 * Plain-loop references of sb_layernorm.cu (same arguments). fp32 outputs are exactly what the
 * kernel's fp32 ops give where it is fp32 (the residual add); bf16 outputs are left unrounded in
 * EXACT mode (the truth).
 */
public final class LayerNormReference {
    private LayerNormReference() {}

    public static void layerNorm(
            float[] x,
            float[] out,
            float[] weight,
            float[] bias,
            int rows,
            int dim,
            float eps,
            Rounding rounding) {
        for (int r = 0; r < rows; r++)
            normaliseRow(x, r * dim, out, null, weight, bias, dim, eps, rounding);
    }

    public static void addLayerNorm(
            float[] x,
            float[] y,
            float[] out,
            float[] weight,
            float[] bias,
            int rows,
            int dim,
            float eps,
            Rounding rounding) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < dim; c++)
                x[r * dim + c] = (float) rounding.keep(x[r * dim + c] + y[r * dim + c]);
            normaliseRow(x, r * dim, out, null, weight, bias, dim, eps, rounding);
        }
    }

    /** An id outside [0, vocab) gives a NaN row, as the kernel does. */
    public static void embedLayerNorm(
            int[] ids,
            float[] table,
            float[] x,
            float[] out,
            float[] weight,
            float[] bias,
            int rows,
            int dim,
            int vocab,
            float eps,
            Rounding rounding) {
        for (int r = 0; r < rows; r++) {
            int id = ids[r];
            if (id < 0 || id >= vocab) {
                for (int c = 0; c < dim; c++) x[r * dim + c] = out[r * dim + c] = Float.NaN;
                continue;
            }
            System.arraycopy(table, id * dim, x, r * dim, dim);
            normaliseRow(x, r * dim, out, x, weight, bias, dim, eps, rounding);
        }
    }

    private static void normaliseRow(
            float[] x,
            int o,
            float[] out,
            float[] xOut,
            float[] weight,
            float[] bias,
            int dim,
            float eps,
            Rounding rounding) {
        double sum = 0;
        for (int c = 0; c < dim; c++) sum = rounding.keep(sum + x[o + c]);
        double mean = rounding.keep(sum / dim);
        double sq = 0;
        for (int c = 0; c < dim; c++) {
            double d = rounding.keep(x[o + c] - mean);
            sq = rounding.keep(sq + rounding.keep(d * d));
        }
        double rstd = rounding.keep(1.0 / Math.sqrt(sq / dim + eps));
        for (int c = 0; c < dim; c++) {
            double v =
                    rounding.keep(rounding.keep(rounding.keep(x[o + c] - mean) * rstd) * weight[c]);
            if (bias != null) v = rounding.keep(v + bias[c]);
            if (xOut != null) xOut[o + c] = (float) v;
            out[o + c] = (float) v;
        }
    }
}
