package io.streambert.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The native int8 and bf16 linear kernels against their plain-loop references, over awkward sizes.
 * int8 must match its reference exactly (the sums are integers; the scale step is one fma in both);
 * bf16 must stay within twice the error of the naive fp32 summation of the same bf16 inputs,
 * measured against float64. Skipped where the processor has no such kernel (the encoder then runs
 * fp32 Java; see {@link PrecisionFallbackTest}).
 */
class LowPrecisionLinearTest {
    private static final int[][] SHAPES = {
        {1, 1},
        {3, 5},
        {63, 33},
        {64, 64},
        {65, 129},
        {129, 31},
        {768, 768},
        {1152, 96},
        {100, 2304}
    };

    @AfterEach
    void allCores() {
        CpuParallel.setThreads(0);
    }

    private static float[] random(int n, long seed, double range) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((r.nextDouble() * 2 - 1) * range);
        return a;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 11, 12, 13, 63, 64, 65, 129})
    void int8MatchesItsReferenceExactly(int rows) {
        assumeTrue(NativeCpu.int8(), NativeCpu::describe);
        for (int[] s : SHAPES) {
            int in = s[0], out = s[1];
            for (boolean withBias : new boolean[] {false, true}) {
                float[] w = random(out * in, 31L * in + out, 0.2);
                float[] b = withBias ? random(out, 5, 1) : null;
                float[] x = random(rows * in, rows + 7L * in, 3);
                if (rows > 2)
                    for (int i = 0; i < in; i++) x[in + i] = 0f; // an all-zero token: scale 0
                Int8Linear q = Int8Linear.quantize(w, b, out, in);
                float[] fast = new float[rows * out + 5], ref = new float[rows * out + 5];
                fast[rows * out] = 42f;
                q.apply(x, rows, fast);
                Int8LinearReference.linear(x, rows, q, ref);
                assertEquals(42f, fast[rows * out], "wrote past its output");
                for (int k = 0; k < rows * out; k++) {
                    if (Float.floatToIntBits(fast[k]) != Float.floatToIntBits(ref[k]))
                        fail(
                                "rows="
                                        + rows
                                        + " in="
                                        + in
                                        + " out="
                                        + out
                                        + " bias="
                                        + withBias
                                        + " at "
                                        + k
                                        + ": fast "
                                        + fast[k]
                                        + " reference "
                                        + ref[k]);
                }
            }
        }
    }

    @Test
    void int8WeightsAreSymmetricPerChannelWithinHalfAStep() {
        assumeTrue(NativeCpu.int8(), NativeCpu::describe);
        int out = 37, in = 70;
        float[] w = random(out * in, 3, 1);
        for (int i = 0; i < in; i++) w[5 * in + i] = 0f; // a dead channel
        w[7 * in + 3] = -9f; // an outlier sets its channel's scale
        Int8Linear q = Int8Linear.quantize(w, null, out, in);
        for (int o = 0; o < out; o++) {
            float amax = 0;
            for (int i = 0; i < in; i++) amax = Math.max(amax, Math.abs(w[o * in + i]));
            assertEquals(amax / 127f, q.weightScale(o), 0f, "scale of channel " + o);
            for (int i = 0; i < in; i++) {
                int v = q.quantizedWeight(o, i);
                assertTrue(Math.abs(v) <= 127);
                assertTrue(
                        Math.abs(v * q.weightScale(o) - w[o * in + i])
                                <= q.weightScale(o) * 0.5001f,
                        "W[" + o + "," + i + "]");
            }
        }
        assertEquals(-127, q.quantizedWeight(7, 3));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 11, 12, 13, 63, 64, 65, 129})
    void bf16StaysWithinTwiceTheNaiveError(int rows) {
        assumeTrue(NativeCpu.bf16(), NativeCpu::describe);
        for (int[] s : SHAPES) {
            int in = s[0], out = s[1];
            for (boolean withBias : new boolean[] {false, true}) {
                float[] w = random(out * in, 17L * in + out, 0.2);
                float[] b = withBias ? random(out, 9, 1) : null;
                float[] x = random(rows * in, rows + 3L * in, 3);
                Bf16Linear h = Bf16Linear.convert(w, b, out, in);
                float[] fast = new float[rows * out + 5], naive = new float[rows * out];
                fast[rows * out] = 42f;
                h.apply(x, rows, fast);
                Bf16LinearReference.linear(x, rows, h, naive);
                assertEquals(42f, fast[rows * out], "wrote past its output");
                double fastErr = 0, naiveErr = 0;
                for (int r = 0; r < rows; r++) {
                    for (int o = 0; o < out; o++) {
                        double exact = h.bias(o), mag = Math.abs(h.bias(o));
                        for (int i = 0; i < in; i++) {
                            double p = (double) Bf16.round(x[r * in + i]) * h.weight(o, i);
                            exact += p;
                            mag += Math.abs(p);
                        }
                        mag = Math.max(mag, 1e-30);
                        fastErr = Math.max(fastErr, Math.abs(fast[r * out + o] - exact) / mag);
                        naiveErr = Math.max(naiveErr, Math.abs(naive[r * out + o] - exact) / mag);
                    }
                }
                assertTrue(
                        fastErr <= 2 * naiveErr + 1e-7,
                        "rows="
                                + rows
                                + " in="
                                + in
                                + " out="
                                + out
                                + " bias="
                                + withBias
                                + ": relative error "
                                + fastErr
                                + " vs naive "
                                + naiveErr);
            }
        }
    }

    @Test
    void bf16WeightsAreRoundedToNearestEven() {
        assertEquals(
                Float.floatToIntBits(1.0f),
                Float.floatToIntBits(Bf16.round(1.0f + 0x1p-8f))); // tie: to even
        assertEquals(
                Float.floatToIntBits(1.0f + 0x1p-7f),
                Float.floatToIntBits(Bf16.round(1.0f + 0x1p-8f + 0x1p-20f)));
        assertEquals(
                Float.floatToIntBits(1.0f + 0x1p-6f),
                Float.floatToIntBits(Bf16.round(1.0f + 0x1p-7f + 0x1p-8f))); // tie: up to even
        assertTrue(Float.isNaN(Bf16.round(Float.NaN)));
        assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.POSITIVE_INFINITY));
    }

    @Test
    void oneThreadGivesTheSameResult() {
        assumeTrue(NativeCpu.int8() && NativeCpu.bf16(), NativeCpu::describe);
        int rows = 300, in = 200, out = 160;
        float[] w = random(out * in, 1, 0.3), x = random(rows * in, 2, 1), b = random(out, 3, 1);
        Int8Linear q = Int8Linear.quantize(w, b, out, in);
        Bf16Linear h = Bf16Linear.convert(w, b, out, in);
        float[] q2 = new float[rows * out],
                q1 = new float[rows * out],
                h2 = new float[rows * out],
                h1 = new float[rows * out];
        q.apply(x, rows, q2);
        h.apply(x, rows, h2);
        CpuParallel.setThreads(1);
        q.apply(x, rows, q1);
        h.apply(x, rows, h1);
        assertTrue(java.util.Arrays.equals(q1, q2) && java.util.Arrays.equals(h1, h2));
    }

    @Test
    void rejectsBadShapes() {
        assumeTrue(NativeCpu.int8() && NativeCpu.bf16(), NativeCpu::describe);
        assertThrows(
                IllegalArgumentException.class,
                () -> Int8Linear.quantize(new float[6], null, 2, 4));
        assertThrows(
                IllegalArgumentException.class,
                () -> Bf16Linear.convert(new float[8], new float[3], 2, 4));
        Int8Linear q = Int8Linear.quantize(new float[8], null, 2, 4);
        assertThrows(IllegalArgumentException.class, () -> q.apply(new float[7], 2, new float[4]));
        assertThrows(IllegalArgumentException.class, () -> q.apply(new float[8], 2, new float[3]));
    }
}
