package io.streambert.gpu.kernels;

import io.streambert.gpu.device.DeviceBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * sb_geglu on the emulated device against GegluReference: rows from the length sweep, the golden
 * width 96 and ModernBERT-base's 1152, grid-stride shapes from one block of 32 threads to a full
 * grid.
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("io.streambert.gpu.device.TestDevices#names")
class GegluKernelTest {
    /** The device of this run of the class: one of TestDevices.names(). */
    @Parameter String device;

    static final int[] ROWS = {1, 2, 63, 64, 65, 127, 128, 129, 300, 1000, 8192};
    static final GridStride[] SHAPES = {
        new GridStride(32, 1), new GridStride(128, 7), GridStride.DEFAULT
    };

    @Test
    void sweep() {
        int k = 0;
        for (int rows : ROWS) {
            for (int inter :
                    new int[] {
                        1, 63, 96, 1152
                    }) { // 96, 1152: the 16-byte path; 1, 63: one column at a time
                if (rows >= 1000 && inter != 96)
                    continue; // 1.2M+ elements: the emulator's time is better spent elsewhere
                GridStride shape = SHAPES[k++ % SHAPES.length];
                float[] u =
                        TestData.bf16Gaussian(
                                new Random(rows * 31L + inter), rows * 2 * inter, 2.0);
                float[] kernel;
                try (Dev dev = new Dev(device)) {
                    DeviceBuffer y = dev.bf16Output(rows * inter);
                    GegluLaunch.run(dev.device, shape, dev.bf16(u), y, rows, inter);
                    dev.device.synchronize();
                    kernel = dev.readBf16Output(y, rows * inter, "geglu");
                }
                float[] exact = new float[rows * inter], naive = new float[rows * inter];
                GegluReference.geglu(u, exact, rows, inter, Rounding.EXACT);
                GegluReference.geglu(u, naive, rows, inter, Rounding.NAIVE_BF16);
                String what = "geglu rows " + rows + " inter " + inter + " " + shape;
                Tolerance.assertWithinNaive(what, kernel, exact, naive);
                Tolerance.assertRoundedOnce(what, kernel, exact);
            }
        }
    }

    @Test
    void misalignedBuffersTakeTheElementPath() {
        int rows = 5, inter = 96; // a multiple of 8, but u and y start 2 bytes into their buffers
        float[] u = TestData.bf16Gaussian(new Random(3), rows * 2 * inter, 2.0);
        float[] padded = new float[u.length + 1];
        System.arraycopy(u, 0, padded, 1, u.length);
        float[] kernel;
        try (Dev dev = new Dev(device)) {
            DeviceBuffer ub = dev.bf16(padded).slice(2, 2L * u.length);
            DeviceBuffer yAll = dev.bf16Output(rows * inter + 1);
            GegluLaunch.run(
                    dev.device,
                    GridStride.DEFAULT,
                    ub,
                    yAll.slice(2, 2L * rows * inter),
                    rows,
                    inter);
            dev.device.synchronize();
            float[] all = dev.readBf16Output(yAll, rows * inter + 1, "geglu misaligned");
            if (all[0] != Dev.SENTINEL) throw new AssertionError("geglu wrote before its output");
            kernel = java.util.Arrays.copyOfRange(all, 1, all.length);
        }
        float[] exact = new float[rows * inter], naive = new float[rows * inter];
        GegluReference.geglu(u, exact, rows, inter, Rounding.EXACT);
        GegluReference.geglu(u, naive, rows, inter, Rounding.NAIVE_BF16);
        Tolerance.assertWithinNaive("geglu misaligned", kernel, exact, naive);
        Tolerance.assertRoundedOnce("geglu misaligned", kernel, exact);
    }

    @Test
    void goldenInput() {
        Golden g = Golden.kernels();
        float[] u = g.f32("geglu_in");
        float[] kernel;
        try (Dev dev = new Dev(device)) {
            DeviceBuffer y = dev.alloc(2L * 37 * 96);
            GegluLaunch.run(dev.device, GridStride.DEFAULT, dev.bf16(u), y, 37, 96);
            dev.device.synchronize();
            kernel = dev.readBf16(y, 37 * 96);
        }
        float[] naive = new float[37 * 96];
        GegluReference.geglu(u, naive, 37, 96, Rounding.NAIVE_BF16);
        Tolerance.assertWithinNaive("geglu golden", kernel, g.f32("geglu_out"), naive);
    }
}
