package io.streambert.gpu.kernels;

/** Plain-loop references of sb_pooling.cu (same arguments; launch-only numbers left out). */
public final class PoolingReference {
    private PoolingReference() {}

    public static void pool(
            float[] hidden,
            float[] pooled,
            int[] cuSeqlens,
            int dim,
            PoolingLaunch.Mode mode,
            Rounding rounding) {
        for (int s = 0; s + 1 < cuSeqlens.length; s++) {
            int start = cuSeqlens[s], end = cuSeqlens[s + 1];
            for (int c = 0; c < dim; c++) {
                double v = 0;
                if (end > start) {
                    if (mode == PoolingLaunch.Mode.CLS) {
                        v = hidden[start * dim + c];
                    } else {
                        for (int t = start; t < end; t++)
                            v = rounding.keep(v + hidden[t * dim + c]);
                        v = rounding.keep(v / (end - start));
                    }
                }
                pooled[s * dim + c] = (float) v;
            }
        }
    }

    public static void l2Normalize(float[] x, int rows, int dim, float eps, Rounding rounding) {
        for (int r = 0; r < rows; r++) {
            double sq = 0;
            for (int c = 0; c < dim; c++)
                sq = rounding.keep(sq + rounding.keep((double) x[r * dim + c] * x[r * dim + c]));
            double inv = rounding.keep(1.0 / Math.max(Math.sqrt(sq), eps));
            for (int c = 0; c < dim; c++)
                x[r * dim + c] = (float) rounding.keep(x[r * dim + c] * inv);
        }
    }

    public static void biasGelu(float[] x, float[] bias, int rows, int n, Rounding rounding) {
        for (int e = 0; e < rows * n; e++) {
            double v = rounding.keep(x[e] + (bias != null ? bias[e % n] : 0.0));
            x[e] = (float) rounding.keep(GegluReference.gelu(v));
        }
    }

    public static void softmaxRows(float[] x, float[] bias, int rows, int n, Rounding rounding) {
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            double[] v = new double[n];
            for (int c = 0; c < n; c++) {
                v[c] = rounding.keep(x[r * n + c] + (bias != null ? bias[c] : 0.0));
                max = Math.max(max, v[c]);
            }
            double sum = 0;
            for (int c = 0; c < n; c++) {
                v[c] = rounding.keep(Math.exp(v[c] - max));
                sum = rounding.keep(sum + v[c]);
            }
            for (int c = 0; c < n; c++) x[r * n + c] = (float) rounding.keep(v[c] / sum);
        }
    }

    public static void sigmoid(float[] x, float[] bias, int rows, int n, Rounding rounding) {
        for (int e = 0; e < rows * n; e++) {
            double v = rounding.keep(x[e] + (bias != null ? bias[e % n] : 0.0));
            x[e] = (float) rounding.keep(1.0 / (1.0 + rounding.keep(Math.exp(-v))));
        }
    }
}
