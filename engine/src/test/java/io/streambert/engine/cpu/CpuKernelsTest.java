package io.streambert.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast kernels against their plain-loop twins in {@link CpuKernelsReference}, over awkward
 * sizes.
 */
class CpuKernelsTest {

    @AfterEach
    void allCores() {
        CpuParallel.setThreads(0);
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        return a;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 17, 63, 64, 65, 129})
    void linearMatchesReferenceOverOddSizes(int rows) {
        int[][] shapes = {
            {96, 100}, {100, 96}, {768, 768}, {33, 5}, {3, 768}, {768, 1}, {1, 1}, {1152, 130}
        };
        for (int[] s : shapes) {
            int in = s[0], out = s[1];
            for (boolean withBias : new boolean[] {false, true}) {
                float[] w = random(out * in, 11L * in + out);
                float[] b = withBias ? random(out, 5) : null;
                float[] x = random(rows * in, rows);
                PackedLinear p = PackedLinear.pack(w, b, out, in);
                float[] fast = new float[rows * out];
                float[] ref = new float[rows * out];
                CpuKernels.linear(x, rows, p, fast);
                CpuKernelsReference.linear(x, rows, p, ref);
                for (int r = 0; r < rows; r++) {
                    for (int o = 0; o < out; o++) {
                        // Scale of the dot product: the bound on rounding error grows with sum |x_i
                        // w_i|, not with |y|.
                        double scale = Math.abs(withBias ? b[o] : 0);
                        for (int i = 0; i < in; i++)
                            scale += Math.abs(x[r * in + i] * w[o * in + i]);
                        double err = Math.abs(fast[r * out + o] - ref[r * out + o]);
                        if (err > 1e-5 * Math.max(scale, 1e-3)) {
                            fail(
                                    "rows="
                                            + rows
                                            + " in="
                                            + in
                                            + " out="
                                            + out
                                            + " bias="
                                            + withBias
                                            + " at ["
                                            + r
                                            + ","
                                            + o
                                            + "]: fast "
                                            + fast[r * out + o]
                                            + " reference "
                                            + ref[r * out + o]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void linearWritesOnlyItsOutputAndKeepsTheWeightsAsGiven() {
        int rows = 7, in = 20, out = 37;
        float[] w = random(out * in, 1);
        PackedLinear p = PackedLinear.pack(w, null, out, in);
        for (int o = 0; o < out; o++)
            for (int i = 0; i < in; i++) assertEquals(w[o * in + i], p.weight(o, i));
        float[] y = new float[rows * out + 50];
        java.util.Arrays.fill(y, 42f);
        CpuKernels.linear(random(rows * in, 2), rows, p, y);
        for (int i = rows * out; i < y.length; i++)
            assertEquals(42f, y[i], "wrote past rows x out at " + i);
    }

    @Test
    void linearGivesTheSameBitsOnOneThreadAndOnAll() {
        int rows = 131, in = 768, out = 2304;
        PackedLinear p = PackedLinear.pack(random(out * in, 3), random(out, 4), out, in);
        float[] x = random(rows * in, 5);
        float[] one = new float[rows * out], all = new float[rows * out];
        CpuParallel.setThreads(1);
        CpuKernels.linear(x, rows, p, one);
        CpuParallel.setThreads(2);
        CpuKernels.linear(x, rows, p, all);
        assertArrayEquals(one, all);
    }

    @Test
    void linearRowDoesNotDependOnItsNeighbours() {
        int in = 100, out = 70;
        PackedLinear p = PackedLinear.pack(random(out * in, 6), null, out, in);
        float[] x = random(17 * in, 7);
        float[] all = new float[17 * out];
        CpuKernels.linear(x, 17, p, all);
        for (int r = 0; r < 17; r++) {
            float[] alone = new float[out];
            CpuKernels.linear(java.util.Arrays.copyOfRange(x, r * in, (r + 1) * in), 1, p, alone);
            assertArrayEquals(
                    alone, java.util.Arrays.copyOfRange(all, r * out, (r + 1) * out), "row " + r);
        }
    }

    @Test
    void packRejectsWrongShapes() {
        assertThrows(
                IllegalArgumentException.class, () -> PackedLinear.pack(new float[10], null, 3, 4));
        assertThrows(
                IllegalArgumentException.class,
                () -> PackedLinear.pack(new float[12], new float[2], 3, 4));
    }

    private static final int[] LENGTHS = {1, 2, 63, 64, 65, 129, 300};

    @ParameterizedTest
    @ValueSource(ints = {-1, 8, 64})
    void attentionMatchesReferenceForEachLength(int halfWindow) {
        for (int n : LENGTHS) checkAttention(new int[] {0, n}, 2, 64, halfWindow, n);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 8, 64})
    void attentionMatchesReferenceOnMixedLengthBatch(int halfWindow) {
        int[] cu = new int[LENGTHS.length + 1];
        for (int i = 0; i < LENGTHS.length; i++)
            cu[i + 1] = cu[i] + LENGTHS[LENGTHS.length - 1 - i];
        checkAttention(cu, 3, 64, halfWindow, 99);
    }

    @Test
    void attentionHandlesHeadDimNotAMultipleOfTheVector() {
        checkAttention(new int[] {0, 5, 70, 71}, 2, 24, -1, 1);
        checkAttention(new int[] {0, 5, 70, 71}, 1, 40, 3, 2);
    }

    @Test
    void attentionOfASequenceDoesNotDependOnTheBatch() {
        int heads = 2, hd = 64, hidden = heads * hd;
        float[] qkv = random(365 * 3 * hidden, 8);
        int[] cu = {0, 65, 365};
        float[] all = new float[365 * hidden];
        CpuKernels.attention(qkv, cu, heads, hd, 64, all);
        float[] alone = new float[300 * hidden];
        CpuKernels.attention(
                java.util.Arrays.copyOfRange(qkv, 65 * 3 * hidden, 365 * 3 * hidden),
                new int[] {0, 300},
                heads,
                hd,
                64,
                alone);
        assertArrayEquals(alone, java.util.Arrays.copyOfRange(all, 65 * hidden, 365 * hidden));
    }

    private static void checkAttention(
            int[] cu, int heads, int headDim, int halfWindow, long seed) {
        int tokens = cu[cu.length - 1];
        int hidden = heads * headDim;
        float[] qkv = random(tokens * 3 * hidden, seed);
        for (int i = 0; i < qkv.length; i++)
            qkv[i] *= 3; // peaked enough that the softmax is not flat
        float[] fast = new float[tokens * hidden], ref = new float[tokens * hidden];
        CpuKernels.attention(qkv, cu, heads, headDim, halfWindow, fast);
        CpuKernelsReference.attention(qkv, cu, heads, headDim, halfWindow, ref);
        for (int i = 0; i < fast.length; i++) {
            if (Math.abs(fast[i] - ref[i]) > 1e-5 * Math.max(1, Math.abs(ref[i]))) {
                fail(
                        "tokens="
                                + tokens
                                + " window="
                                + halfWindow
                                + " headDim="
                                + headDim
                                + " at token "
                                + i / hidden
                                + " dim "
                                + i % hidden
                                + ": fast "
                                + fast[i]
                                + " reference "
                                + ref[i]);
            }
        }
    }
}
