package io.streambert.gpu.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.Gemm;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Gemm.Output#FP32_ADD} (C += A x W^T + bias, the output projections writing into the fp32
 * residual stream) through the Gemm seam, for every backend the device offers: our kernel
 * (TiledGemm) and the device's default (the host stand-in on the emulator, cuBLAS with beta = 1 on
 * a GPU). Odd sizes, bias on and off, C starting from non-zero values; against the float64 truth
 * within the fp32 summation bound (k * 2^-23 * sum |terms|, doubled, over the products, the bias
 * and C's old value) and against GemmReference's fp32 twin. A backend that overwrote C, dropped the
 * bias or rounded through bf16 fails.
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("io.streambert.gpu.device.TestDevices#names")
class GemmAccumulateTest {
    /** The device of this run of the class: one of TestDevices.names(). */
    @Parameter String device;

    @Test
    void everyBackendAddsTheProductToC() {
        try (Dev d = new Dev(device)) {
            List<Gemm> backends = new ArrayList<>();
            backends.add(new TiledGemm(d.device));
            backends.add(GemmBackends.open(d.device));
            int n = 0;
            try {
                for (Gemm gemm : backends) {
                    for (int rows : GemmKernelTest.SIZES) {
                        for (int out : new int[] {1, 63, 65, 129}) {
                            for (int k : new int[] {1, 64, 65}) {
                                check(d, gemm, rows, out, k, n % 2 == 0, new Random(31L * n + 7));
                                n++;
                            }
                        }
                    }
                }
            } finally {
                for (Gemm g : backends) g.close();
            }
        }
    }

    private void check(Dev d, Gemm gemm, int rows, int out, int k, boolean withBias, Random rnd) {
        float[] a = TestData.bf16Gaussian(rnd, rows * k, 1.0),
                w = TestData.bf16Gaussian(rnd, out * k, 0.5);
        float[] bias = withBias ? TestData.gaussian(rnd, out, 0, 1) : null;
        float[] c0 = TestData.gaussian(rnd, rows * out, 0, 3);
        DeviceBuffer c = d.f32(c0);
        gemm.run(
                d.bf16(a),
                d.bf16(w),
                bias == null ? null : d.f32(bias),
                c,
                Gemm.Output.FP32_ADD,
                rows,
                out,
                k);
        d.device.synchronize();
        float[] got = new float[rows * out];
        d.device.download(c, got);
        float[] twin = c0.clone();
        GemmReference.run(a, w, bias, twin, Gemm.Output.FP32_ADD, rows, out, k);
        String what = gemm + " " + rows + "x" + out + "x" + k + (withBias ? " +bias" : "") + " +=";
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                int at = r * out + j;
                double truth = c0[at], mag = Math.abs(c0[at]);
                if (bias != null) {
                    truth += bias[j];
                    mag += Math.abs(bias[j]);
                }
                for (int i = 0; i < k; i++) {
                    double p = (double) a[r * k + i] * w[j * k + i];
                    truth += p;
                    mag += Math.abs(p);
                }
                double bound = 2 * (k + 2) * 0x1p-24 * mag + 1e-30;
                assertTrue(
                        Math.abs(got[at] - truth) <= bound,
                        what + " [" + r + "," + j + "]: " + got[at] + " vs truth " + truth);
                assertTrue(
                        Math.abs(got[at] - twin[at]) <= 2 * bound,
                        what + " [" + r + "," + j + "]: " + got[at] + " vs twin " + twin[at]);
            }
        }
    }
}
