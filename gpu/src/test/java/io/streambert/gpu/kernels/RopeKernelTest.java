package io.streambert.gpu.kernels;

import io.streambert.gpu.device.DeviceBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * sb_rope on the emulated device against RopeReference: all sweep lengths (1..8192) in one packed
 * batch, both ModernBERT thetas, head dims 64, 32 and 128 (16-byte path), three launch shapes; head
 * dims whose half is not a multiple of 8 and a misaligned qkv (element path), the latter also bit
 * for bit against the 16-byte path.
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("io.streambert.gpu.device.TestDevices#names")
class RopeKernelTest {
    /** The device of this run of the class: one of TestDevices.names(). */
    @Parameter String device;

    static final int[] ALL_LENGTHS = {1, 2, 63, 64, 65, 127, 128, 129, 300, 1000, 8192};

    float[] check(RopeLaunch shape, double theta, int heads, int headDim, int... lengths) {
        return checkAt(shape, 0, theta, heads, headDim, lengths);
    }

    /** offsetElems > 0: qkv starts that many bf16 past a 16-byte boundary. */
    float[] checkAt(
            RopeLaunch shape,
            int offsetElems,
            double theta,
            int heads,
            int headDim,
            int... lengths) {
        SequenceTiles seqs = SequenceTiles.ofLengths(lengths);
        int n = seqs.tokens() * 3 * heads * headDim, maxPos = Math.max(1, seqs.maxSeqlen());
        float[][] table = RopeLaunch.table(theta, headDim, maxPos);
        float[] qkv =
                TestData.bf16Gaussian(new Random((long) theta + headDim + lengths.length), n, 1.0);
        float[] kernel;
        try (Dev dev = new Dev(device)) {
            float[] padded = new float[offsetElems + n];
            System.arraycopy(qkv, 0, padded, offsetElems, n);
            DeviceBuffer buf = dev.bf16(padded).slice(2L * offsetElems, 2L * n);
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
        String what =
                "rope "
                        + shape
                        + " theta "
                        + theta
                        + " hd"
                        + headDim
                        + (offsetElems > 0 ? " misaligned" : "");
        Tolerance.assertWithinNaive(what, kernel, exact, naive);
        Tolerance.assertRoundedOnce(
                what, kernel, exact); // also: v untouched, positions restarting per sequence
        return kernel;
    }

    @Test
    void elementPathHeadDims() { // half = 1, 3, 9, 20: not a multiple of 8
        for (int hd : new int[] {2, 6, 18, 40}) {
            check(RopeLaunch.DEFAULT, 10000, 2, hd, 63, 1, 129, 65, 64);
        }
    }

    @Test
    void misalignedQkvTakesTheElementPathWithTheSameBits() {
        for (int hd : new int[] {32, 64, 128}) {
            float[] vec = checkAt(RopeLaunch.DEFAULT, 0, 160000, 2, hd, 65, 1, 300, 63);
            float[] elem = checkAt(RopeLaunch.DEFAULT, 1, 160000, 2, hd, 65, 1, 300, 63);
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    vec, elem, 0f, "hd " + hd + ": 16-byte and element paths differ");
        }
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
