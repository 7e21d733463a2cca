package io.streambert.engine.cpu;

/**
 * Plain-loop twins of {@link CpuKernels}: same arguments, same shapes, the obvious loops. The tests
 * hold the fast kernels to these; they are also the readable statement of what the fast kernels
 * compute.
 */
public final class CpuKernelsReference {
    private CpuKernelsReference() {}

    /** y[rows, out] = x[rows, in] * W^T + b. */
    public static void linear(float[] x, int rows, PackedLinear w, float[] y) {
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < w.out; o++) {
                float s = w.bias(o);
                for (int i = 0; i < w.in; i++) s += x[r * w.in + i] * w.weight(o, i);
                y[r * w.out + o] = s;
            }
        }
    }

    /** See {@link CpuKernels#attention}. */
    public static void attention(
            float[] qkv, int[] cuSeqlens, int heads, int headDim, int halfWindow, float[] out) {
        int hidden = heads * headDim;
        int stride = 3 * hidden;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        for (int s = 0; s + 1 < cuSeqlens.length; s++) {
            int start = cuSeqlens[s], end = cuSeqlens[s + 1];
            float[] p = new float[end - start];
            for (int h = 0; h < heads; h++) {
                for (int i = start; i < end; i++) {
                    int lo = halfWindow < 0 ? start : Math.max(start, i - halfWindow);
                    int hi = halfWindow < 0 ? end - 1 : Math.min(end - 1, i + halfWindow);
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = lo; j <= hi; j++) {
                        float dot = 0;
                        for (int d = 0; d < headDim; d++)
                            dot +=
                                    qkv[i * stride + h * headDim + d]
                                            * qkv[j * stride + hidden + h * headDim + d];
                        p[j - start] = dot * scale;
                        max = Math.max(max, p[j - start]);
                    }
                    float sum = 0;
                    for (int j = lo; j <= hi; j++) {
                        p[j - start] = (float) Math.exp(p[j - start] - max);
                        sum += p[j - start];
                    }
                    for (int d = 0; d < headDim; d++) {
                        float acc = 0;
                        for (int j = lo; j <= hi; j++)
                            acc += p[j - start] * qkv[j * stride + 2 * hidden + h * headDim + d];
                        out[i * hidden + h * headDim + d] = acc / sum;
                    }
                }
            }
        }
    }
}
