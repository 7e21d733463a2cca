package io.streambert.gpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.Gemm;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * sb_gemm_bf16 against GemmReference: every (rows, out, k) from the odd-size sweep, bias on and
 * off, bf16 and fp32 C, fp32 accumulation into C; the 16-byte load path (k a multiple of 8) and the
 * element path (any other k, or a misaligned A); nothing written past C. Error budget: twice a
 * naive bf16 GEMM's error against the float64 truth.
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("io.streambert.gpu.device.TestDevices#names")
class GemmKernelTest {
    /** The device of this run of the class: one of TestDevices.names(). */
    @Parameter String device;

    static final int[] SIZES = {1, 63, 64, 65, 129};

    @Test
    void tilingIsReadFromTheKernelHeader() {
        GemmTiling t = GemmTiling.COMPILED;
        assertEquals(32 * t.warpsM() * t.warpsN(), t.block().x());
        GemmTiling parsed =
                GemmTiling.parse(
                        """
                        #define SB_GEMM_BM 128
                        #define SB_GEMM_BN 64 // c
                        #define SB_GEMM_BK 32
                        #define SB_GEMM_WARPS_M 4
                        #define SB_GEMM_WARPS_N 2
                        #define SB_GEMM_PAD 8
                        """,
                        "test");
        assertEquals(new GemmTiling(128, 64, 32, 4, 2, 8), parsed);
        assertThrows(
                IllegalStateException.class,
                () -> GemmTiling.parse("#define SB_GEMM_BM 64\n", "test"));
        assertThrows(
                IllegalStateException.class,
                () -> new GemmTiling(64, 64, 24, 2, 2, 8)); // bk not a multiple of 16
    }

    @Test
    void sweepOddShapes() {
        int n = 0;
        for (int rows : SIZES) {
            for (int out : SIZES) {
                for (int k : SIZES) {
                    boolean bias = n % 2 == 0;
                    Gemm.Output output = (n / 2) % 2 == 0 ? Gemm.Output.BF16 : Gemm.Output.FP32;
                    boolean accumulate = output == Gemm.Output.FP32 && (n / 4) % 2 == 0;
                    check(rows, out, k, bias, output, accumulate, 0, new Random(n * 7919L + 1));
                    n++;
                }
            }
        }
    }

    @Test
    void everyOptionOnLargerShapes() {
        int[][] shapes = {{200, 136, 96}, {33, 257, 128}, {130, 70, 300}, {8, 1152, 64}};
        int n = 0;
        for (int[] s : shapes) {
            for (boolean bias : new boolean[] {false, true}) {
                check(s[0], s[1], s[2], bias, Gemm.Output.BF16, false, 0, new Random(++n));
                check(s[0], s[1], s[2], bias, Gemm.Output.FP32, false, 0, new Random(++n));
                check(s[0], s[1], s[2], bias, Gemm.Output.FP32, true, 0, new Random(++n));
            }
        }
    }

    @Test
    void misalignedInputsTakeTheElementPath() {
        // A and W start 2 bytes into their buffers: k = 64 would take 16-byte loads if the kernel
        // ignored alignment
        check(70, 65, 64, true, Gemm.Output.BF16, false, 1, new Random(5));
    }

    private void check(
            int rows,
            int out,
            int k,
            boolean withBias,
            Gemm.Output output,
            boolean accumulate,
            int offsetElems,
            Random rnd) {
        float[] a = TestData.bf16Gaussian(rnd, rows * k, 1.0),
                w = TestData.bf16Gaussian(rnd, out * k, 0.5);
        float[] bias = withBias ? TestData.gaussian(rnd, out, 0, 1) : null;
        float[] c0 = accumulate ? TestData.gaussian(rnd, rows * out, 0, 2) : new float[rows * out];
        float[] kernel;
        try (Dev dev = new Dev(device)) {
            DeviceBuffer ab =
                    dev.bf16(withOffset(a, offsetElems)).slice(2L * offsetElems, 2L * rows * k);
            DeviceBuffer wb =
                    dev.bf16(withOffset(w, offsetElems)).slice(2L * offsetElems, 2L * out * k);
            DeviceBuffer c =
                    output == Gemm.Output.BF16
                            ? dev.bf16Output(rows * out)
                            : f32Output(dev, c0, accumulate);
            GemmLaunch.run(
                    dev.device,
                    GemmTiling.COMPILED,
                    ab,
                    wb,
                    withBias ? dev.f32(bias) : null,
                    c,
                    output,
                    accumulate,
                    rows,
                    out,
                    k);
            dev.device.synchronize();
            kernel =
                    output == Gemm.Output.BF16
                            ? dev.readBf16Output(c, rows * out, "gemm")
                            : readF32Output(dev, c, rows * out);
        }
        float[] exact = c0.clone(), naive = c0.clone();
        GemmReference.run(
                a, w, bias, exact, Gemm.Output.FP32, accumulate, rows, out, k, Rounding.EXACT);
        GemmReference.run(a, w, bias, naive, output, accumulate, rows, out, k, Rounding.NAIVE_BF16);
        String what =
                "gemm "
                        + rows
                        + "x"
                        + out
                        + "x"
                        + k
                        + (withBias ? " +bias " : " ")
                        + output
                        + (accumulate ? " +=" : "")
                        + (offsetElems > 0 ? " misaligned" : "");
        Tolerance.assertWithinNaive(what, kernel, exact, naive);
        if (output
                == Gemm.Output
                        .BF16) { // fp32 accumulation, one rounding: within half a bf16 ulp + the
            // fp32 sum error
            for (int i = 0; i < exact.length; i++) {
                double allowed = Math.abs(exact[i]) * (1.01 / 256) + 1e-5 * k;
                assertTrue(
                        Math.abs(kernel[i] - exact[i]) <= allowed,
                        what + ": element " + i + " " + kernel[i] + " vs " + exact[i]);
            }
        }
    }

    private static float[] withOffset(float[] x, int offset) {
        float[] y = new float[x.length + offset];
        System.arraycopy(x, 0, y, offset, x.length);
        return y;
    }

    /**
     * C plus guard values: C holds c0 when the kernel accumulates into it, else SENTINEL (an
     * unwritten element keeps it).
     */
    private static DeviceBuffer f32Output(Dev dev, float[] c0, boolean accumulate) {
        float[] fill = Arrays.copyOf(c0, c0.length + Dev.GUARD);
        Arrays.fill(fill, accumulate ? c0.length : 0, fill.length, Dev.SENTINEL);
        return dev.f32(fill);
    }

    private static float[] readF32Output(Dev dev, DeviceBuffer b, int n) {
        float[] all = dev.readF32(b, n + Dev.GUARD);
        for (int i = n; i < all.length; i++)
            if (all[i] != Dev.SENTINEL)
                throw new AssertionError(
                        "gemm wrote past its output (element " + i + " of " + n + ")");
        return Arrays.copyOf(all, n);
    }
}
