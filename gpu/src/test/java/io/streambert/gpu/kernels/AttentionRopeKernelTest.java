package io.streambert.gpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.gpu.device.DeviceBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RoPE applied by sb_attention_hd* while it loads q and k (AttentionLaunch with a Rope) against (1)
 * the plain-loop references, RopeReference then AttentionReference, within twice the naive bf16
 * error; (2) on the emulator, bit for bit the two-kernel path it replaces, sb_rope on qkv then
 * attention without RoPE (the same fp32 expressions and one bf16 rounding); (3) qkv left unchanged.
 * Odd lengths mixed in one batch (positions restart per sequence), global and both windows, both
 * thetas, head dims 32, 64 and 128.
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("io.streambert.gpu.device.TestDevices#names")
class AttentionRopeKernelTest {
    /** The device of this run of the class: one of TestDevices.names(). */
    @Parameter String device;

    void check(int headDim, int heads, int window, double theta, int... lengths) {
        AttentionTiling tiling = AttentionTiling.forHeadDim(headDim);
        SequenceTiles seqs = SequenceTiles.ofLengths(lengths);
        int tokens = seqs.tokens(), hidden = heads * headDim;
        int maxPos =
                Math.max(1, seqs.maxSeqlen()) + 3; // a table longer than needed, as in the encoder
        Random rnd = new Random(17L * headDim + 5L * window + Arrays.hashCode(lengths));
        float[] qkv = TestData.bf16Gaussian(rnd, tokens * 3 * hidden, 1.0);
        float[][] table = RopeLaunch.table(theta, headDim, maxPos);
        float scale = (float) (1 / Math.sqrt(headDim));
        String what =
                "attention+rope hd"
                        + headDim
                        + " heads "
                        + heads
                        + " window "
                        + window
                        + " theta "
                        + theta
                        + " lengths "
                        + Arrays.toString(lengths);
        float[] fused, twin, qkvAfter;
        try (Dev dev = new Dev(device)) {
            DeviceBuffer cu = dev.i32(seqs.cuSeqlens()),
                    tiles = dev.i32(seqs.queryTileTable(tiling));
            DeviceBuffer cos = dev.f32(table[0]), sin = dev.f32(table[1]);
            DeviceBuffer q1 = dev.bf16(qkv), out1 = dev.bf16Output(tokens * hidden);
            AttentionLaunch.run(
                    dev.device,
                    tiling,
                    seqs,
                    q1,
                    out1,
                    cu,
                    tiles,
                    heads,
                    window,
                    new AttentionLaunch.Rope(cos, sin, maxPos),
                    null);
            DeviceBuffer q2 = dev.bf16(qkv), out2 = dev.bf16Output(tokens * hidden);
            RopeLaunch.DEFAULT.run(dev.device, seqs, q2, cu, heads, headDim, cos, sin, maxPos);
            AttentionLaunch.run(dev.device, tiling, seqs, q2, out2, cu, tiles, heads, window, null);
            dev.device.synchronize();
            fused = dev.readBf16Output(out1, tokens * hidden, what);
            twin = dev.readBf16Output(out2, tokens * hidden, what + " (sb_rope + attention)");
            qkvAfter = dev.readBf16(q1, qkv.length);
        }
        assertArrayEquals(qkv, qkvAfter, 0f, what + ": qkv was changed");
        float[] exactIn = qkv.clone(), naiveIn = qkv.clone();
        int[] cuS = seqs.cuSeqlens();
        int batch = seqs.batch();
        RopeReference.rope(
                exactIn, cuS, batch, tokens, heads, headDim, table[0], table[1], Rounding.EXACT);
        RopeReference.rope(
                naiveIn,
                cuS,
                batch,
                tokens,
                heads,
                headDim,
                table[0],
                table[1],
                Rounding.NAIVE_BF16);
        float[] exact = new float[tokens * hidden], naive = new float[tokens * hidden];
        AttentionReference.attention(
                exactIn,
                exact,
                cuS,
                heads,
                headDim,
                window,
                scale,
                null,
                tiling,
                Rounding.EXACT,
                1);
        AttentionReference.attention(
                naiveIn,
                naive,
                cuS,
                heads,
                headDim,
                window,
                scale,
                null,
                tiling,
                Rounding.NAIVE_BF16,
                1);
        System.out.println(Tolerance.assertWithinNaive(what, fused, exact, naive));
        if (device.equals("emulated")) {
            // same expressions, same rounding: the fused path must equal the two-kernel path
            // exactly
            assertArrayEquals(twin, fused, 0f, what + ": differs from sb_rope + attention");
        } else {
            Tolerance.assertWithinNaive(what + " (sb_rope + attention)", twin, exact, naive);
        }
    }

    @Test
    void headDim64MixedLengthsEveryWindowBothThetas() {
        for (double theta : new double[] {160000, 10000}) {
            for (int window : AttentionKernelTest.WINDOWS) {
                check(64, 2, window, theta, 129, 1, 64, 300, 63, 65, 2);
            }
        }
    }

    @Test
    void eachOddLengthAloneHeadDim64() {
        for (int len : new int[] {1, 63, 64, 65, 129}) check(64, 1, -1, 160000, len);
    }

    @Test
    void headDims32And128() {
        for (int window : AttentionKernelTest.WINDOWS) {
            check(32, 2, window, 10000, 1000, 1, 129, 64, 2);
            check(128, 2, window, 160000, 1, 65, 300, 129);
        }
    }

    @Test
    void aSequenceLongerThanTheTableIsRefused() {
        AttentionTiling tiling = AttentionTiling.forHeadDim(64);
        SequenceTiles seqs = SequenceTiles.ofLengths(10, 70);
        float[][] table = RopeLaunch.table(10000, 64, 64);
        try (Dev dev = new Dev(device)) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    AttentionLaunch.run(
                                            dev.device,
                                            tiling,
                                            seqs,
                                            dev.alloc(2L * 80 * 3 * 64),
                                            dev.alloc(2L * 80 * 64),
                                            dev.i32(seqs.cuSeqlens()),
                                            dev.i32(seqs.queryTileTable(tiling)),
                                            1,
                                            -1,
                                            new AttentionLaunch.Rope(
                                                    dev.f32(table[0]), dev.f32(table[1]), 64),
                                            null));
            assertTrue(e.getMessage().contains("exceeds the RoPE table"), e.getMessage());
        }
    }
}
