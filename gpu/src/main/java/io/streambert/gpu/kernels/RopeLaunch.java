package io.streambert.gpu.kernels;

import io.streambert.engine.cpu.RopeTable;
import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.Dim3;
import io.streambert.gpu.device.KernelArgs;

/**
 * Launches sb_rope: rotate-half RoPE in place on q and k of qkv [tokens, 3, heads, headDim] bf16,
 * positions restarting per sequence of cuSeqlens, angles from a cos/sin table [maxPositions,
 * headDim/2] fp32 (the layer type's theta is chosen by which table the caller passes). The launch
 * shape is free: {@code threadsPerBlock} threads stride over a token's rotation pairs, each block
 * takes {@code tokensPerBlock} consecutive tokens.
 */
public record RopeLaunch(int threadsPerBlock, int tokensPerBlock) {
    public static final RopeLaunch DEFAULT = new RopeLaunch(128, 4);

    public RopeLaunch {
        KernelArgs.require(
                threadsPerBlock >= 32 && threadsPerBlock % 32 == 0 && threadsPerBlock <= 1024,
                "threadsPerBlock must be a multiple of 32 in 32..1024, was " + threadsPerBlock);
        KernelArgs.require(
                tokensPerBlock >= 1, "tokensPerBlock must be >= 1, was " + tokensPerBlock);
    }

    public void run(
            Device device,
            SequenceTiles seqs,
            DeviceBuffer qkv,
            DeviceBuffer cuSeqlens,
            int heads,
            int headDim,
            DeviceBuffer cos,
            DeviceBuffer sin,
            int maxPositions) {
        KernelArgs.require(headDim % 2 == 0, "RoPE needs an even head dim, got " + headDim);
        KernelArgs.require(
                seqs.maxSeqlen() <= maxPositions,
                "a sequence of "
                        + seqs.maxSeqlen()
                        + " tokens exceeds the RoPE table's "
                        + maxPositions
                        + " positions");
        if (seqs.tokens() == 0) return;
        Dim3 grid = Dim3.of((seqs.tokens() + tokensPerBlock - 1) / tokensPerBlock);
        device.launch(
                "sb_rope",
                grid,
                Dim3.of(threadsPerBlock),
                0,
                qkv,
                cuSeqlens,
                seqs.batch(),
                seqs.tokens(),
                heads,
                headDim,
                cos,
                sin,
                tokensPerBlock);
    }

    /**
     * The table as the kernel reads it: cos and sin, each [maxPositions, headDim/2] fp32, angle p *
     * theta^(-2i/headDim).
     */
    public static float[][] table(double theta, int headDim, int maxPositions) {
        // One definition of the angles for both engines: the CPU encoder's table, computed in
        // double.
        RopeTable t = RopeTable.of(theta, headDim, maxPositions);
        t.ensure(maxPositions);
        return new float[][] {t.cosTable(), t.sinTable()};
    }
}
