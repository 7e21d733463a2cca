package io.streambert.engine.cpu;

import io.streambert.engine.math.Erf;

/**
 * The encoder's row-wise operations (linear in the token count): LayerNorm, RoPE, GeGLU, residual
 * add. Plain loops; a faster version keeps the signatures. Shapes are row-major.
 */
public final class VectorOpsReference {
    private VectorOpsReference() {}

    /** y[rows, dim] = (x - mean) / sqrt(var + eps) * weight (+ bias); y may be x. */
    public static void layerNorm(
            float[] x, int rows, int dim, float[] weight, float[] bias, float eps, float[] y) {
        for (int r = 0; r < rows; r++) {
            int o = r * dim;
            double mean = 0;
            for (int i = 0; i < dim; i++) mean += x[o + i];
            mean /= dim;
            double var = 0;
            for (int i = 0; i < dim; i++) {
                double d = x[o + i] - mean;
                var += d * d;
            }
            var /= dim;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            for (int i = 0; i < dim; i++) {
                float v = (float) (x[o + i] - mean) * inv * weight[i];
                y[o + i] = bias == null ? v : v + bias[i];
            }
        }
    }

    /**
     * Rotate-half RoPE in place on q and k of a packed qkv [tokens, 3, heads, headDim]; positions
     * restart at 0 in every sequence of cuSeqlens.
     */
    public static void rope(float[] qkv, int[] cuSeqlens, int heads, int headDim, RopeTable table) {
        int hidden = heads * headDim, half = headDim / 2;
        int longest = 0;
        for (int s = 0; s + 1 < cuSeqlens.length; s++)
            longest = Math.max(longest, cuSeqlens[s + 1] - cuSeqlens[s]);
        table.ensure(longest);
        for (int s = 0; s + 1 < cuSeqlens.length; s++) {
            for (int t = cuSeqlens[s]; t < cuSeqlens[s + 1]; t++) {
                int pos = t - cuSeqlens[s];
                for (int part = 0; part < 2; part++) { // q, then k
                    for (int h = 0; h < heads; h++) {
                        int base = t * 3 * hidden + part * hidden + h * headDim;
                        for (int i = 0; i < half; i++) {
                            float c = table.cos(pos, i), sn = table.sin(pos, i);
                            float x1 = qkv[base + i], x2 = qkv[base + half + i];
                            qkv[base + i] = x1 * c - x2 * sn;
                            qkv[base + half + i] = x2 * c + x1 * sn;
                        }
                    }
                }
            }
        }
    }

    /** y[rows, inter] = gelu_erf(u[:, :inter]) * u[:, inter:], with u [rows, 2*inter]. */
    public static void geglu(float[] u, int rows, int inter, float[] y) {
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < inter; i++) {
                y[r * inter + i] = gelu(u[r * 2 * inter + i]) * u[r * 2 * inter + inter + i];
            }
        }
    }

    /** x += y, elementwise over the first n values. */
    public static void addInPlace(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) x[i] += y[i];
    }

    /** Exact GELU: 0.5 x (1 + erf(x / sqrt 2)). */
    public static float gelu(float x) {
        return Erf.gelu(x);
    }
}
