package io.streambert.gpu.kernels;

/** Plain-loop reference of sb_rope (same arguments; the launch-only tokensPerBlock is left out). */
public final class RopeReference {
    private RopeReference() {}

    /**
     * x[i], x[i+half] = x1 c - x2 s, x2 c + x1 s on parts q and k of qkv [tokens, 3, heads,
     * headDim], in place.
     */
    public static void rope(
            float[] qkv,
            int[] cuSeqlens,
            int batch,
            int tokens,
            int heads,
            int headDim,
            float[] cos,
            float[] sin,
            Rounding rounding) {
        int half = headDim / 2;
        for (int s = 0; s < batch; s++) {
            for (int t = cuSeqlens[s]; t < cuSeqlens[s + 1] && t < tokens; t++) {
                int pos = t - cuSeqlens[s];
                for (int ph = 0; ph < 2 * heads; ph++) { // part (q, k) x head
                    int base = (t * 3 * heads + ph) * headDim;
                    for (int i = 0; i < half; i++) {
                        double c = rounding.keep(cos[pos * half + i]),
                                sn = rounding.keep(sin[pos * half + i]);
                        double x1 = qkv[base + i], x2 = qkv[base + half + i];
                        qkv[base + i] =
                                (float)
                                        rounding.keep(
                                                rounding.keep(x1 * c) - rounding.keep(x2 * sn));
                        qkv[base + half + i] =
                                (float)
                                        rounding.keep(
                                                rounding.keep(x2 * c) + rounding.keep(x1 * sn));
                    }
                }
            }
        }
    }
}
