package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Dim3;
import io.streambert.gpu.device.KernelArgs;

/**
 * Launch shape of the grid-stride elementwise kernels (GeGLU, bias+gelu, sigmoid): threadsPerBlock
 * threads, at most maxBlocks blocks; the kernels loop, so a capped grid still covers every element.
 */
public record GridStride(int threadsPerBlock, int maxBlocks) {
    public static final GridStride DEFAULT = new GridStride(256, 4096);

    public GridStride {
        KernelArgs.require(
                threadsPerBlock >= 32 && threadsPerBlock % 32 == 0 && threadsPerBlock <= 1024,
                "threadsPerBlock must be a multiple of 32 in 32..1024, was " + threadsPerBlock);
        KernelArgs.require(maxBlocks >= 1, "maxBlocks must be >= 1, was " + maxBlocks);
    }

    public Dim3 block() {
        return Dim3.of(threadsPerBlock);
    }

    public Dim3 grid(long elements) {
        long blocks = (elements + threadsPerBlock - 1) / threadsPerBlock;
        return Dim3.of((int) Math.max(1, Math.min(maxBlocks, blocks)));
    }
}
