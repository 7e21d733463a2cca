package io.streambert.gpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.gpu.device.DeviceBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The LayerNorm family on the emulated device against LayerNormReference: row counts from the
 * length sweep, widths below, at and above a warp and ModernBERT-base's 768, with and without bias,
 * three warps-per-block shapes.
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("io.streambert.gpu.device.TestDevices#names")
class LayerNormKernelTest {
    /** The device of this run of the class: one of TestDevices.names(). */
    @Parameter String device;

    static final int[] ROWS = {1, 2, 63, 64, 65, 129, 300, 8192};
    static final int[] DIMS = {33, 64, 128, 768};
    static final WarpPerRow[] SHAPES = {new WarpPerRow(1), WarpPerRow.DEFAULT, new WarpPerRow(8)};
    static final float EPS = 1e-5f;

    @Test
    void layerNormSweep() {
        int k = 0;
        for (int rows : ROWS) {
            for (int dim :
                    rows == 8192
                            ? new int[] {64}
                            : DIMS) { // the longest length once, at a small width
                WarpPerRow shape = SHAPES[k++ % SHAPES.length];
                boolean withBias = k % 2 == 0;
                Random rnd = new Random(rows * 1000L + dim);
                float[] x =
                        TestData.gaussian(
                                rnd,
                                rows * dim,
                                3.0,
                                2.0); // an offset mean: the two-pass variance matters
                float[] w = TestData.gaussian(rnd, dim, 1.0, 0.1),
                        b = withBias ? TestData.gaussian(rnd, dim, 0, 0.1) : null;
                float[] kernel;
                try (Dev dev = new Dev(device)) {
                    DeviceBuffer out = dev.bf16Output(rows * dim);
                    LayerNormLaunch.layerNorm(
                            dev.device,
                            shape,
                            dev.f32(x),
                            out,
                            dev.f32(w),
                            b == null ? null : dev.f32(b),
                            rows,
                            dim,
                            EPS);
                    dev.device.synchronize();
                    kernel = dev.readBf16Output(out, rows * dim, "layernorm");
                }
                float[] exact = new float[rows * dim], naive = new float[rows * dim];
                LayerNormReference.layerNorm(x, exact, w, b, rows, dim, EPS, Rounding.EXACT);
                LayerNormReference.layerNorm(x, naive, w, b, rows, dim, EPS, Rounding.NAIVE_BF16);
                String what =
                        "layernorm rows "
                                + rows
                                + " dim "
                                + dim
                                + " "
                                + shape
                                + " bias "
                                + withBias;
                Tolerance.assertWithinNaive(what, kernel, exact, naive);
                Tolerance.assertRoundedOnce(what, kernel, exact);
            }
        }
    }

    @Test
    void residualAddThenLayerNormSweep() {
        int k = 0;
        for (int rows : new int[] {1, 65, 300}) {
            for (int dim : DIMS) {
                WarpPerRow shape = SHAPES[k++ % SHAPES.length];
                Random rnd = new Random(rows * 7L + dim);
                float[] x = TestData.gaussian(rnd, rows * dim, 0.5, 2.0),
                        y = TestData.bf16Gaussian(rnd, rows * dim, 1.0);
                float[] w = TestData.gaussian(rnd, dim, 1.0, 0.1),
                        b = TestData.gaussian(rnd, dim, 0, 0.1);
                float[] kernelX, kernelOut;
                try (Dev dev = new Dev(device)) {
                    DeviceBuffer xb = dev.f32(x), out = dev.bf16Output(rows * dim);
                    LayerNormLaunch.addLayerNorm(
                            dev.device,
                            shape,
                            xb,
                            dev.bf16(y),
                            out,
                            dev.f32(w),
                            dev.f32(b),
                            rows,
                            dim,
                            EPS);
                    dev.device.synchronize();
                    kernelX = dev.readF32(xb, rows * dim);
                    kernelOut = dev.readBf16Output(out, rows * dim, "add+layernorm");
                }
                float[] exactX = x.clone(),
                        exact = new float[rows * dim],
                        naiveX = x.clone(),
                        naive = new float[rows * dim];
                LayerNormReference.addLayerNorm(
                        exactX, y, exact, w, b, rows, dim, EPS, Rounding.EXACT);
                LayerNormReference.addLayerNorm(
                        naiveX, y, naive, w, b, rows, dim, EPS, Rounding.NAIVE_BF16);
                String what = "add+layernorm rows " + rows + " dim " + dim + " " + shape;
                assertArrayEquals(
                        exactX,
                        kernelX,
                        what + ": the fp32 residual x + y is one fp32 add, bit for bit");
                Tolerance.assertWithinNaive(what, kernelOut, exact, naive);
                Tolerance.assertRoundedOnce(what, kernelOut, exact);
            }
        }
    }

    @Test
    void embeddingGatherThenLayerNorm() {
        int vocab = 97, dim = 768, rows = 300;
        Random rnd = new Random(11);
        float[] table = TestData.bf16Gaussian(rnd, vocab * dim, 0.5);
        float[] w = TestData.gaussian(rnd, dim, 1.0, 0.1);
        int[] ids = new int[rows];
        for (int i = 0; i < rows; i++) ids[i] = rnd.nextInt(vocab);
        ids[5] = vocab; // out of range: a loud NaN row, not a silent read past the table
        ids[6] = -1;
        for (WarpPerRow shape : new WarpPerRow[] {new WarpPerRow(2), new WarpPerRow(8)}) {
            float[] kernelX, kernelOut;
            try (Dev dev = new Dev(device)) {
                DeviceBuffer x = dev.alloc(4L * rows * dim), out = dev.bf16Output(rows * dim);
                LayerNormLaunch.embedLayerNorm(
                        dev.device,
                        shape,
                        dev.i32(ids),
                        dev.bf16(table),
                        x,
                        out,
                        dev.f32(w),
                        null,
                        rows,
                        dim,
                        vocab,
                        EPS);
                dev.device.synchronize();
                kernelX = dev.readF32(x, rows * dim);
                kernelOut = dev.readBf16Output(out, rows * dim, "embed+layernorm");
            }
            float[] exactX = new float[rows * dim],
                    exact = new float[rows * dim],
                    naive = new float[rows * dim];
            LayerNormReference.embedLayerNorm(
                    ids, table, exactX, exact, w, null, rows, dim, vocab, EPS, Rounding.EXACT);
            LayerNormReference.embedLayerNorm(
                    ids,
                    table,
                    new float[rows * dim],
                    naive,
                    w,
                    null,
                    rows,
                    dim,
                    vocab,
                    EPS,
                    Rounding.NAIVE_BF16);
            for (int bad : new int[] {5, 6}) {
                for (int c = 0; c < dim; c++) {
                    assertTrue(
                            Float.isNaN(kernelX[bad * dim + c])
                                    && Float.isNaN(kernelOut[bad * dim + c]),
                            "row " + bad + " must be NaN");
                    kernelX[bad * dim + c] =
                            kernelOut[bad * dim + c] =
                                    exactX[bad * dim + c] =
                                            exact[bad * dim + c] = naive[bad * dim + c] = 0;
                }
            }
            String what = "embed+layernorm " + shape;
            Tolerance.assertWithinNaive(what, kernelOut, exact, naive);
            Tolerance.assertRoundedOnce(what, kernelOut, exact);
            assertTrue(
                    Tolerance.maxAbsError(kernelX, exactX) <= 1e-5 * Tolerance.maxAbs(exactX),
                    what + ": fp32 residual x");
        }
    }
}
