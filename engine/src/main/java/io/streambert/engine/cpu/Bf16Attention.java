package io.streambert.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * Packed attention in bf16 with fp32 accumulation (native, AVX512-BF16: sb_bf16_attention in
 * src/main/native/sb_cpu_attention.cpp), for the encoder's bf16 and int8 modes. Same arguments and
 * result shape as {@link CpuKernels#attention}: q, k, v and the probabilities are rounded to bf16
 * before their products, the scores, softmax and sums stay fp32. One task per (sequence, head),
 * spread over the workers, longest sequences first.
 */
public final class Bf16Attention {
    private Bf16Attention() {}

    /** True when this machine can run it ({@link NativeCpu#bf16()}). */
    public static boolean available() {
        return NativeCpu.bf16();
    }

    /** See {@link CpuKernels#attention}; head sizes must be even. */
    public static void attention(
            float[] qkv, int[] cuSeqlens, int heads, int headDim, int halfWindow, float[] out) {
        if (!available())
            throw new IllegalStateException(
                    "no bf16 kernel on this machine: " + NativeCpu.describe());
        int batch = cuSeqlens.length - 1;
        if (batch <= 0) return;
        if (headDim % 2 != 0)
            throw new IllegalArgumentException(
                    "bf16 attention needs an even head size, got " + headDim);
        int tokens = cuSeqlens[batch];
        int hidden = heads * headDim;
        if (cuSeqlens[0] != 0) throw new IllegalArgumentException("cu_seqlens must start at 0");
        for (int s = 0; s < batch; s++) {
            if (cuSeqlens[s] > cuSeqlens[s + 1])
                throw new IllegalArgumentException("cu_seqlens not ascending at " + s);
        }
        if (qkv.length < (long) tokens * 3 * hidden)
            throw new IllegalArgumentException(
                    "qkv has " + qkv.length + " values, expected " + tokens + "x3x" + hidden);
        if (out.length < (long) tokens * hidden)
            throw new IllegalArgumentException(
                    "out has " + out.length + " values, expected " + tokens + "x" + hidden);
        // longest sequences first, so the last tasks to be picked up are short ones
        Integer[] order = new Integer[batch];
        for (int s = 0; s < batch; s++) order[s] = s;
        java.util.Arrays.sort(
                order,
                (a, b) ->
                        Integer.compare(
                                cuSeqlens[b + 1] - cuSeqlens[b], cuSeqlens[a + 1] - cuSeqlens[a]));
        NativeCpu n = NativeCpu.get();
        MemorySegment q = MemorySegment.ofArray(qkv),
                cu = MemorySegment.ofArray(cuSeqlens),
                o = MemorySegment.ofArray(out);
        CpuParallel.forEach(
                batch * heads,
                t -> {
                    int s = order[t / heads], task = s * heads + t % heads;
                    try {
                        n.bf16Attention.invokeExact(
                                q, cu, heads, headDim, halfWindow, task, task + 1, o);
                    } catch (Throwable e) {
                        throw NativeCpu.rethrow(e);
                    }
                });
    }
}
