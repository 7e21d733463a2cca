package io.streambert.engine.cpu;

/**
 * Plain-loop reference of {@link Bf16Attention#attention}: q, k, v rounded to bf16, scores summed
 * in fp32 in head order and scaled, softmax in fp32 with {@link Math#exp}, probabilities rounded to
 * bf16 before the weighted sum of values (fp32), divided by the fp32 sum of the unrounded
 * probabilities.
 */
final class Bf16AttentionReference {
    private Bf16AttentionReference() {}

    static void attention(
            float[] qkv, int[] cuSeqlens, int heads, int headDim, int halfWindow, float[] out) {
        int hidden = heads * headDim, stride = 3 * hidden;
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
                        for (int d = 0; d < headDim; d++) {
                            dot +=
                                    Bf16.round(qkv[i * stride + h * headDim + d])
                                            * Bf16.round(
                                                    qkv[j * stride + hidden + h * headDim + d]);
                        }
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
                            acc +=
                                    Bf16.round(p[j - start])
                                            * Bf16.round(
                                                    qkv[j * stride + 2 * hidden + h * headDim + d]);
                        out[i * hidden + h * headDim + d] = acc / sum;
                    }
                }
            }
        }
    }
}
