package io.streambert.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The native bf16 attention against {@link Bf16AttentionReference} over odd sequence lengths,
 * windows and head sizes: both measured against float64 attention on the same bf16-rounded q, k, v
 * (exact softmax), the kernel's largest error must stay within twice the plain loop's.
 */
class Bf16AttentionTest {

    @ParameterizedTest
    @CsvSource({"64, -1", "64, 0", "64, 3", "64, 64", "32, -1", "32, 16", "6, -1", "6, 5", "2, 64"})
    void staysWithinTwiceThePlainLoopError(int headDim, int halfWindow) {
        assumeTrue(Bf16Attention.available(), NativeCpu::describe);
        int heads = 2, hidden = heads * headDim;
        int[] lens = {1, 63, 64, 65, 129, 2, 200, 47, 48, 49};
        int[] cu = new int[lens.length + 1];
        for (int s = 0; s < lens.length; s++) cu[s + 1] = cu[s] + lens[s];
        int tokens = cu[lens.length];
        SplittableRandom r = new SplittableRandom(headDim * 31L + halfWindow);
        float[] qkv = new float[tokens * 3 * hidden];
        for (int i = 0; i < qkv.length; i++) qkv[i] = (float) (r.nextGaussian() * 1.5);
        float[] fast = new float[tokens * hidden + 3], plain = new float[tokens * hidden];
        fast[tokens * hidden] = 42f;
        Bf16Attention.attention(qkv, cu, heads, headDim, halfWindow, fast);
        Bf16AttentionReference.attention(qkv, cu, heads, headDim, halfWindow, plain);
        assertEquals(42f, fast[tokens * hidden], "wrote past its output");
        double[] exact = exact(qkv, cu, heads, headDim, halfWindow);
        double errFast = 0, errPlain = 0;
        for (int i = 0; i < exact.length; i++) {
            errFast = Math.max(errFast, Math.abs(fast[i] - exact[i]));
            errPlain = Math.max(errPlain, Math.abs(plain[i] - exact[i]));
        }
        assertTrue(
                errFast <= 2 * errPlain + 1e-6,
                "hd="
                        + headDim
                        + " window="
                        + halfWindow
                        + ": error "
                        + errFast
                        + " vs plain loop "
                        + errPlain);
    }

    /** float64 attention on bf16-rounded q, k, v. */
    private static double[] exact(float[] qkv, int[] cu, int heads, int hd, int halfWindow) {
        int hidden = heads * hd, stride = 3 * hidden;
        double[] out = new double[cu[cu.length - 1] * hidden];
        for (int s = 0; s + 1 < cu.length; s++) {
            for (int h = 0; h < heads; h++) {
                for (int i = cu[s]; i < cu[s + 1]; i++) {
                    int lo = halfWindow < 0 ? cu[s] : Math.max(cu[s], i - halfWindow),
                            hi =
                                    halfWindow < 0
                                            ? cu[s + 1] - 1
                                            : Math.min(cu[s + 1] - 1, i + halfWindow);
                    double[] p = new double[hi - lo + 1];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = lo; j <= hi; j++) {
                        double dot = 0;
                        for (int d = 0; d < hd; d++)
                            dot +=
                                    (double) Bf16.round(qkv[i * stride + h * hd + d])
                                            * Bf16.round(qkv[j * stride + hidden + h * hd + d]);
                        p[j - lo] = dot / Math.sqrt(hd);
                        max = Math.max(max, p[j - lo]);
                    }
                    for (int j = lo; j <= hi; j++) {
                        p[j - lo] = Math.exp(p[j - lo] - max);
                        sum += p[j - lo];
                    }
                    for (int d = 0; d < hd; d++) {
                        double acc = 0;
                        for (int j = lo; j <= hi; j++)
                            acc +=
                                    p[j - lo]
                                            * Bf16.round(qkv[j * stride + 2 * hidden + h * hd + d]);
                        out[i * hidden + h * hd + d] = acc / sum;
                    }
                }
            }
        }
        return out;
    }

    @Test
    void closeToTheFp32KernelAndRejectsOddHeads() {
        assumeTrue(Bf16Attention.available(), NativeCpu::describe);
        int heads = 3, hd = 64, hidden = heads * hd;
        int[] cu = {0, 100, 101, 400};
        SplittableRandom r = new SplittableRandom(5);
        float[] qkv = new float[400 * 3 * hidden];
        for (int i = 0; i < qkv.length; i++) qkv[i] = (float) r.nextGaussian();
        float[] a = new float[400 * hidden], b = new float[400 * hidden];
        Bf16Attention.attention(qkv, cu, heads, hd, 64, a);
        CpuKernels.attention(qkv, cu, heads, hd, 64, b);
        for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 0.05, "at " + i);
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        Bf16Attention.attention(
                                new float[3 * 3], new int[] {0, 1}, 1, 3, -1, new float[3]));
    }
}
