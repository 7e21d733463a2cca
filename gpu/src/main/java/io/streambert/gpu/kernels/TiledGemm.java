package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.Gemm;

/**
 * {@link Gemm} through our own kernel sb_gemm_bf16 (tensor cores, mma.sync): the GEMM backend when
 * no cuBLAS loads, and on the emulated device the one that runs the real kernel (EmulatedGemm is a
 * host stand-in).
 */
public final class TiledGemm implements Gemm {
    private final Device device;
    private final GemmTiling tiling;

    public TiledGemm(Device device) {
        this(device, GemmTiling.COMPILED);
    }

    TiledGemm(Device device, GemmTiling tiling) {
        this.device = device;
        this.tiling = tiling;
    }

    @Override
    public void run(
            DeviceBuffer a,
            DeviceBuffer w,
            DeviceBuffer bias,
            DeviceBuffer c,
            Output output,
            int rows,
            int out,
            int k) {
        boolean add = output == Output.FP32_ADD;
        GemmLaunch.run(
                device, tiling, a, w, bias, c, add ? Output.FP32 : output, add, rows, out, k);
    }

    @Override
    public String toString() {
        return "sb_gemm_bf16 (own mma.sync kernel, tiles "
                + tiling.bm()
                + "x"
                + tiling.bn()
                + "x"
                + tiling.bk()
                + ")";
    }
}
