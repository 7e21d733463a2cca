package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Dim3;
import io.streambert.gpu.device.KernelArgs;

/**
 * Launch shape of the one-warp-per-row kernels (LayerNorm, L2 normalisation, row softmax):
 * warpsPerBlock warps per block, each warp one row; any warpsPerBlock in 1..32 gives the same
 * result.
 */
public record WarpPerRow(int warpsPerBlock) {
    public static final WarpPerRow DEFAULT = new WarpPerRow(4);

    public WarpPerRow {
        KernelArgs.require(
                warpsPerBlock >= 1 && warpsPerBlock <= 32,
                "warpsPerBlock must be 1..32, was " + warpsPerBlock);
    }

    public Dim3 block() {
        return Dim3.of(32 * warpsPerBlock);
    }

    public Dim3 grid(int rows) {
        return Dim3.of(Math.max(1, (rows + warpsPerBlock - 1) / warpsPerBlock));
    }
}
