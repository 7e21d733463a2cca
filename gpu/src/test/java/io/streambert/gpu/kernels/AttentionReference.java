package io.streambert.gpu.kernels;

/**
 * Plain-loop reference of sb_attention.cu. Arguments in the kernel's order (qkv, out, cu_seqlens,
 * heads, window, scale, visited) with three differences: headDim is explicit (the kernel has it in
 * its name), the tile table is not needed (the reference loops over sequences), and the tiling it
 * counts visited tiles against is passed in.
 */
public final class AttentionReference {
    private AttentionReference() {}

    /**
     * out[t, h*headDim + d] = sum_j softmax_j(scale * q_t . k_j) v_j[d] over the keys j of t's
     * sequence with |i - j| <= window (window < 0: all). visited (nullable, length 1) gets the
     * number of (query tile, K tile) pairs per head that hold at least one allowed (i, j): by the
     * tile distance, independent of the kernel's loop bounds.
     */
    public static void attention(
            float[] qkv,
            float[] out,
            int[] cuSeqlens,
            int heads,
            int headDim,
            int window,
            float scale,
            int[] visited,
            AttentionTiling tiling,
            Rounding rounding) {
        attention(qkv, out, cuSeqlens, heads, headDim, window, scale, visited, tiling, rounding, 1);
    }

    /**
     * The same for a sample of the query rows only (rows where {@link #sampled} holds; others are
     * left as they are): the long-sequence tests use it to keep the float64 truth affordable while
     * every key still counts for each row.
     */
    public static void attention(
            float[] qkv,
            float[] out,
            int[] cuSeqlens,
            int heads,
            int headDim,
            int window,
            float scale,
            int[] visited,
            AttentionTiling tiling,
            Rounding rounding,
            int queryStride) {
        int hidden = heads * headDim, rowStride = 3 * hidden;
        for (int s = 0; s + 1 < cuSeqlens.length; s++) {
            int start = cuSeqlens[s], len = cuSeqlens[s + 1] - start;
            for (int h = 0; h < heads; h++) {
                double[] p = new double[len], acc = new double[headDim];
                for (int i = 0; i < len; i++) {
                    if (!sampled(i, len, queryStride)) continue;
                    int qOff = (start + i) * rowStride + h * headDim;
                    int jLo = window < 0 ? 0 : Math.max(0, i - window),
                            jHi = window < 0 ? len - 1 : Math.min(len - 1, i + window);
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = jLo; j <= jHi; j++) {
                        int kOff = (start + j) * rowStride + hidden + h * headDim;
                        double dot = 0;
                        if (rounding == Rounding.EXACT) {
                            for (int d = 0; d < headDim; d++)
                                dot += (double) qkv[qOff + d] * qkv[kOff + d];
                        } else {
                            float f = 0; // a naive kernel: fp32 dot product, the score kept in bf16
                            for (int d = 0; d < headDim; d++) f += qkv[qOff + d] * qkv[kOff + d];
                            dot = f;
                        }
                        p[j] = rounding.keep(dot * scale);
                        max = Math.max(max, p[j]);
                    }
                    double sum = 0;
                    for (int j = jLo; j <= jHi; j++) {
                        p[j] = rounding.keep(Math.exp(p[j] - max));
                        sum += p[j];
                    }
                    sum = rounding.keep(sum);
                    java.util.Arrays.fill(acc, 0);
                    for (int j = jLo; j <= jHi; j++) { // j outer, d inner: v rows are contiguous
                        double pj = p[j];
                        int vOff = (start + j) * rowStride + 2 * hidden + h * headDim;
                        for (int d = 0; d < headDim; d++) acc[d] += pj * qkv[vOff + d];
                    }
                    for (int d = 0; d < headDim; d++)
                        out[(start + i) * hidden + h * headDim + d] =
                                (float) rounding.keep(acc[d] / sum);
                }
            }
            if (visited != null) visited[0] += heads * tilePairsInWindow(len, window, tiling);
        }
    }

    /**
     * Row i of a sequence of len is in the sample of stride: every stride-th row, and the first and
     * last 64.
     */
    public static boolean sampled(int i, int len, int queryStride) {
        return queryStride <= 1 || i % queryStride == 0 || i < 64 || i >= len - 64;
    }

    /**
     * (query tile, K tile) pairs of one sequence whose index ranges come within window of each
     * other.
     */
    static int tilePairsInWindow(int len, int window, AttentionTiling tiling) {
        int count = 0;
        for (int qt = 0; qt < tiling.queryTiles(len); qt++) {
            int a0 = qt * tiling.blockQ(), a1 = Math.min(len, a0 + tiling.blockQ()) - 1;
            for (int kt = 0; kt < tiling.keyTiles(len); kt++) {
                int b0 = kt * tiling.blockK(), b1 = Math.min(len, b0 + tiling.blockK()) - 1;
                int distance = Math.max(0, Math.max(b0 - a1, a0 - b1));
                if (window < 0 || distance <= window) count++;
            }
        }
        return count;
    }
}
