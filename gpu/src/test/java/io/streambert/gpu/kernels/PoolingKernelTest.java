package io.streambert.gpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.streambert.engine.model.Bf16;
import io.streambert.gpu.device.DeviceBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** sb_pooling.cu on the emulated device against PoolingReference. */
@ParameterizedClass(name = "on {0}")
@MethodSource("io.streambert.gpu.device.TestDevices#names")
class PoolingKernelTest {
    /** The device of this run of the class: one of TestDevices.names(). */
    @Parameter String device;

    static final int[] ALL_LENGTHS = {1, 2, 63, 64, 65, 127, 128, 129, 300, 1000, 8192};

    @Test
    void meanAndClsPoolingOverAllLengthsInOneBatch() {
        int dim = 96;
        SequenceTiles seqs = SequenceTiles.ofLengths(ALL_LENGTHS);
        float[] hidden = TestData.bf16Gaussian(new Random(3), seqs.tokens() * dim, 1.0);
        for (int i = 0; i < hidden.length; i += 7)
            hidden[i] = Bf16.round(hidden[i] + 4f); // a non-zero mean to sum up
        for (PoolingLaunch.Mode mode : PoolingLaunch.Mode.values()) {
            for (int[] block : new int[][] {{32, 1}, {128, 1}, {32, 8}, {64, 16}}) {
                float[] kernel;
                try (Dev dev = new Dev(device)) {
                    DeviceBuffer pooled = dev.alloc(4L * seqs.batch() * dim);
                    PoolingLaunch.pool(
                            dev.device,
                            block[0],
                            block[1],
                            seqs,
                            dev.bf16(hidden),
                            pooled,
                            dev.i32(seqs.cuSeqlens()),
                            dim,
                            mode);
                    dev.device.synchronize();
                    kernel = dev.readF32(pooled, seqs.batch() * dim);
                }
                float[] exact = new float[seqs.batch() * dim],
                        naive = new float[seqs.batch() * dim];
                PoolingReference.pool(hidden, exact, seqs.cuSeqlens(), dim, mode, Rounding.EXACT);
                PoolingReference.pool(
                        hidden, naive, seqs.cuSeqlens(), dim, mode, Rounding.NAIVE_BF16);
                String what = "pool " + mode + " block " + block[0] + "x" + block[1];
                if (mode == PoolingLaunch.Mode.CLS)
                    assertArrayEquals(exact, kernel, what + ": cls is a copy");
                else Tolerance.assertWithinNaive(what, kernel, exact, naive);
            }
        }
    }

    @Test
    void l2Normalize() {
        for (int dim : new int[] {33, 768}) {
            int rows = 5;
            float[] x = TestData.gaussian(new Random(dim), rows * dim, 0.2, 1.0);
            x[dim] = 0; // row 1 of dim 33 / 768 gets a zero too; a zero row below
            for (int c = 0; c < dim; c++)
                x[3 * dim + c] = 0; // a zero row stays zero (eps guard), no NaN
            float[] kernel;
            try (Dev dev = new Dev(device)) {
                DeviceBuffer xb = dev.f32(x);
                PoolingLaunch.l2Normalize(dev.device, new WarpPerRow(2), xb, rows, dim, 1e-12f);
                dev.device.synchronize();
                kernel = dev.readF32(xb, rows * dim);
            }
            float[] exact = x.clone(), naive = x.clone();
            PoolingReference.l2Normalize(exact, rows, dim, 1e-12f, Rounding.EXACT);
            PoolingReference.l2Normalize(naive, rows, dim, 1e-12f, Rounding.NAIVE_BF16);
            Tolerance.assertWithinNaive("l2 dim " + dim, kernel, exact, naive);
        }
    }

    @Test
    void classificationHeadElementwise() {
        Random rnd = new Random(17);
        for (int n : new int[] {2, 3, 40}) {
            int rows = 7;
            float[] x = TestData.gaussian(rnd, rows * n, 0, 3.0),
                    bias = TestData.gaussian(rnd, n, 0, 1.0);
            for (boolean withBias : new boolean[] {true, false}) {
                float[] b = withBias ? bias : null;
                String tag = " n " + n + " bias " + withBias;
                float[] gk, sk, sg;
                try (Dev dev = new Dev(device)) {
                    DeviceBuffer bb = b == null ? null : dev.f32(b);
                    DeviceBuffer g = dev.f32(x), s = dev.f32(x), sig = dev.f32(x);
                    PoolingLaunch.biasGelu(dev.device, new GridStride(32, 2), g, bb, rows, n);
                    PoolingLaunch.softmaxRows(dev.device, new WarpPerRow(3), s, bb, rows, n);
                    PoolingLaunch.sigmoid(dev.device, GridStride.DEFAULT, sig, bb, rows, n);
                    dev.device.synchronize();
                    gk = dev.readF32(g, rows * n);
                    sk = dev.readF32(s, rows * n);
                    sg = dev.readF32(sig, rows * n);
                }
                float[] e = x.clone(), nv = x.clone();
                PoolingReference.biasGelu(e, b, rows, n, Rounding.EXACT);
                PoolingReference.biasGelu(nv, b, rows, n, Rounding.NAIVE_BF16);
                Tolerance.assertWithinNaive("bias+gelu" + tag, gk, e, nv);
                e = x.clone();
                nv = x.clone();
                PoolingReference.softmaxRows(e, b, rows, n, Rounding.EXACT);
                PoolingReference.softmaxRows(nv, b, rows, n, Rounding.NAIVE_BF16);
                Tolerance.assertWithinNaive("softmax" + tag, sk, e, nv);
                e = x.clone();
                nv = x.clone();
                PoolingReference.sigmoid(e, b, rows, n, Rounding.EXACT);
                PoolingReference.sigmoid(nv, b, rows, n, Rounding.NAIVE_BF16);
                Tolerance.assertWithinNaive("sigmoid" + tag, sg, e, nv);
            }
        }
    }
}
