package io.streambert.gpu.kernels;

import io.streambert.gpu.device.DeviceBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * sb_rope on the emulated device against RopeReference: all sweep lengths (1..8192) in one packed
 * batch, both ModernBERT thetas, head dims 64, 32 and 128, three launch shapes.
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("io.streambert.gpu.device.TestDevices#names")
class RopeKernelTest {
    /** The device of this run of the class: one of TestDevices.names(). */
    @Parameter String device;

    static final int[] ALL_LENGTHS = {1, 2, 63, 64, 65, 127, 128, 129, 300, 1000, 8192};

    void check(RopeLaunch shape, double theta, int heads, int headDim, int... lengths) {
        SequenceTiles seqs = SequenceTiles.ofLengths(lengths);
        int n = seqs.tokens() * 3 * heads * headDim, maxPos = Math.max(1, seqs.maxSeqlen());
        float[][] table = RopeLaunch.table(theta, headDim, maxPos);
        float[] qkv =
                TestData.bf16Gaussian(new Random((long) theta + headDim + lengths.length), n, 1.0);
        float[] kernel;
        try (Dev dev = new Dev(device)) {
            DeviceBuffer buf = dev.bf16(qkv);
            shape.run(
                    dev.device,
                    seqs,
                    buf,
                    dev.i32(seqs.cuSeqlens()),
                    heads,
                    headDim,
                    dev.f32(table[0]),
                    dev.f32(table[1]),
                    maxPos);
            dev.device.synchronize();
            kernel = dev.readBf16(buf, n);
        }
        float[] exact = qkv.clone(), naive = qkv.clone();
        RopeReference.rope(
                exact,
                seqs.cuSeqlens(),
                seqs.batch(),
                seqs.tokens(),
                heads,
                headDim,
                table[0],
                table[1],
                Rounding.EXACT);
        RopeReference.rope(
                naive,
                seqs.cuSeqlens(),
                seqs.batch(),
                seqs.tokens(),
                heads,
                headDim,
                table[0],
                table[1],
                Rounding.NAIVE_BF16);
        String what = "rope " + shape + " theta " + theta + " hd" + headDim;
        Tolerance.assertWithinNaive(what, kernel, exact, naive);
        Tolerance.assertRoundedOnce(
                what, kernel, exact); // also: v untouched, positions restarting per sequence
    }

    @Test
    void allLengthsOneBatchHeadDim64BothThetas() {
        check(RopeLaunch.DEFAULT, 160000, 2, 64, ALL_LENGTHS);
        check(RopeLaunch.DEFAULT, 10000, 2, 64, ALL_LENGTHS);
    }

    @Test
    void headDim32And128() {
        check(RopeLaunch.DEFAULT, 10000, 2, 32, 1000, 1, 129, 64, 2);
        check(RopeLaunch.DEFAULT, 160000, 1, 128, 65, 300, 1);
    }

    @Test
    void launchShapesGiveTheSameRotation() {
        for (RopeLaunch shape :
                new RopeLaunch[] {
                    new RopeLaunch(32, 1), new RopeLaunch(64, 3), new RopeLaunch(256, 16)
                }) {
            check(shape, 10000, 3, 64, 63, 1, 300, 2, 65);
        }
    }
}
