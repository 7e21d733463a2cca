package io.streambert.engine.cpu;

/**
 * Packed attention as the encoder calls it (arguments as {@link CpuKernels#attention}): fp32
 * ({@link CpuKernels}) or bf16 ({@link Bf16Attention}).
 */
@FunctionalInterface
public interface AttentionOp {
    void apply(float[] qkv, int[] cuSeqlens, int heads, int headDim, int halfWindow, float[] out);
}
