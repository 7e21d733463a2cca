package io.streambert.engine.cpu;

/**
 * The CPU encoder's two hot operations. Everything else in a layer is linear in the token count and
 * cheap. These are the fast versions (Vector API, register tiles, both cores: {@link LinearKernel},
 * {@link AttentionKernel}); {@link CpuKernelsReference} holds their plain-loop twins with the same
 * signatures, which the tests compare against. Threads: {@link CpuParallel#setThreads}.
 */
public final class CpuKernels {
    private CpuKernels() {}

    /** y[rows, out] = x[rows, in] * W^T + b. */
    public static void linear(float[] x, int rows, PackedLinear w, float[] y) {
        LinearKernel.linear(x, rows, w, y);
    }

    /**
     * Attention over packed sequences, one head at a time: out = softmax(q k^T / sqrt(d)) v within
     * each sequence.
     *
     * @param qkv [tokens, 3, heads, headDim], RoPE already applied to q and k
     * @param cuSeqlens [batch + 1] sequence starts in tokens; cuSeqlens[batch] = tokens
     * @param heads attention heads
     * @param headDim dimension of one head
     * @param halfWindow keys with |i - j| <= halfWindow are visited; a negative value means global
     *     attention
     * @param out [tokens, heads * headDim]
     */
    public static void attention(
            float[] qkv, int[] cuSeqlens, int heads, int headDim, int halfWindow, float[] out) {
        AttentionKernel.attention(qkv, cuSeqlens, heads, headDim, halfWindow, out);
    }
}
