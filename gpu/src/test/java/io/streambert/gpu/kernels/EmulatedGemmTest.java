package io.streambert.gpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.model.Bf16;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.EmulatedDevice;
import io.streambert.gpu.device.EmulatedGemm;
import io.streambert.gpu.device.Gemm;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The emulated device's cuBLAS stand-in against GemmReference (bit for bit: both sum fp32 in k
 * order) and both against a float64 truth: |c - truth| <= k * 2^-23 * sum_i |a_i w_i| (fp32
 * summation bound, doubled) plus, for bf16 output, half a bf16 ulp (at most 2^-8 of |truth|).
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("io.streambert.gpu.device.TestDevices#names")
class EmulatedGemmTest {
    /** The device of this run of the class: one of TestDevices.names(). */
    @Parameter String device;

    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 3, 64}, {7, 96, 129}, {65, 40, 32}, {130, 17, 300}
    };

    @Test
    void matchesTwinAndTruthForEveryShapeBiasAndOutput() {
        Assumptions.assumeTrue(
                device.equals("emulated"), "the host stand-in exists only on the emulated device");
        EmulatedGemm gemm =
                new EmulatedGemm(
                        (EmulatedDevice) io.streambert.gpu.device.TestDevices.shared(device));
        Random rnd = new Random(42);
        for (int[] s : SHAPES) {
            for (boolean withBias : new boolean[] {false, true}) {
                for (Gemm.Output output : Gemm.Output.values()) {
                    for (int threads : new int[] {1, 3}) {
                        gemm.setThreads(threads);
                        check(gemm, rnd, s[0], s[1], s[2], withBias, output);
                    }
                }
            }
        }
    }

    private void check(
            EmulatedGemm gemm,
            Random rnd,
            int rows,
            int out,
            int k,
            boolean withBias,
            Gemm.Output output) {
        float[] a = Bf16.roundAll(random(rnd, rows * k)), w = Bf16.roundAll(random(rnd, out * k));
        float[] bias = withBias ? random(rnd, out) : null;
        // FP32_ADD adds to what C holds: start it from random values (the residual stream)
        float[] c0 = output == Gemm.Output.FP32_ADD ? random(rnd, rows * out) : null;
        try (Dev d = new Dev(device)) {
            DeviceBuffer c = c0 != null ? d.f32(c0) : d.alloc((long) output.bytes * rows * out);
            gemm.run(
                    d.bf16(a),
                    d.bf16(w),
                    bias == null ? null : d.f32(bias),
                    c,
                    output,
                    rows,
                    out,
                    k);
            float[] got = new float[rows * out];
            if (output == Gemm.Output.BF16) d.device.downloadBf16(c, got);
            else d.device.download(c, got);
            float[] twin = c0 != null ? c0.clone() : new float[rows * out];
            GemmReference.run(a, w, bias, twin, output, rows, out, k);
            String what = rows + "x" + out + "x" + k + (withBias ? " +bias " : " ") + output;
            for (int i = 0; i < got.length; i++)
                assertEquals(twin[i], got[i], 0f, what + " element " + i);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < out; j++) {
                    double truth = bias == null ? 0 : bias[j], mag = Math.abs(truth);
                    if (c0 != null) {
                        truth += c0[r * out + j];
                        mag += Math.abs(c0[r * out + j]);
                    }
                    for (int i = 0; i < k; i++) {
                        truth += (double) a[r * k + i] * w[j * k + i];
                        mag += Math.abs((double) a[r * k + i] * w[j * k + i]);
                    }
                    double bound =
                            k * 0x1p-23 * mag
                                    + (output == Gemm.Output.BF16 ? 0x1p-8 * Math.abs(truth) : 0)
                                    + 1e-30;
                    double err = Math.abs(got[r * out + j] - truth);
                    assertTrue(
                            err <= bound,
                            what + " [" + r + "," + j + "]: err " + err + " > " + bound);
                }
            }
        }
    }

    @Test
    void rejectsABufferTooSmallForTheShape() {
        Assumptions.assumeTrue(
                device.equals("emulated"), "the host stand-in exists only on the emulated device");
        EmulatedGemm gemm =
                new EmulatedGemm(
                        (EmulatedDevice) io.streambert.gpu.device.TestDevices.shared(device));
        try (Dev d = new Dev(device)) {
            DeviceBuffer a = d.alloc(2L * 4 * 8), w = d.alloc(2L * 3 * 8), c = d.alloc(4L * 4 * 2);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> gemm.run(a, w, null, c, Gemm.Output.FP32, 4, 3, 8));
            assertTrue(e.getMessage().contains("C [4, 3] FP32"), e.getMessage());
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }
}
