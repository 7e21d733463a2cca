package io.streambert.gpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The plain-loop twins (EXACT mode) against the float64 reference vectors of golden/kernels: the
 * twins are the truth of every kernel sweep, so they must reproduce the independent reference
 * first.
 */
class ReferenceGoldenTest {
    private static final int HEADS = 2, HEAD_DIM = 64;

    private static void assertClose(String what, float[] expected, float[] actual, double relTol) {
        assertTrue(
                expected.length == actual.length,
                what + ": length " + actual.length + " vs " + expected.length);
        double tol = relTol * Math.max(1.0, Tolerance.maxAbs(expected));
        double err = Tolerance.maxAbsError(actual, expected);
        assertTrue(err <= tol, what + ": max abs error " + err + " > " + tol);
    }

    @Test
    void attentionTwinMatchesGlobalAndBothWindows() {
        Golden g = Golden.kernels();
        int[] cu = g.i32("cu_seqlens");
        assertArrayEquals(
                new int[] {0, 1, 3, 8, 71, 135, 200, 330, 630}, cu, "golden batch layout");
        float[] qkv = g.f32("qkv");
        float scale = (float) (1 / Math.sqrt(HEAD_DIM));
        String[] names = {"attn_global", "attn_window16", "attn_window128"};
        int[] windows = {-1, 8, 64}; // local_attention 16 and 128 -> |i-j| <= 8 and <= 64
        for (int c = 0; c < names.length; c++) {
            float[] out = new float[630 * HEADS * HEAD_DIM];
            AttentionReference.attention(
                    qkv,
                    out,
                    cu,
                    HEADS,
                    HEAD_DIM,
                    windows[c],
                    scale,
                    null,
                    AttentionTiling.forHeadDim(HEAD_DIM),
                    Rounding.EXACT);
            assertClose(names[c], g.f32(names[c]), out, 1e-5);
        }
    }

    @Test
    void ropeTwinMatchesBothThetas() {
        Golden g = Golden.kernels();
        int[] cu = g.i32("cu_seqlens");
        for (int theta : new int[] {10000, 160000}) {
            float[][] table = RopeLaunch.table(theta, HEAD_DIM, 300);
            float[] qkv = g.f32("qkv").clone();
            RopeReference.rope(
                    qkv,
                    cu,
                    cu.length - 1,
                    630,
                    HEADS,
                    HEAD_DIM,
                    table[0],
                    table[1],
                    Rounding.EXACT);
            assertClose("rope theta " + theta, g.f32("rope_theta" + theta), qkv, 1e-5);
        }
    }

    @Test
    void gegluTwinMatches() {
        Golden g = Golden.kernels();
        float[] y = new float[37 * 96];
        GegluReference.geglu(g.f32("geglu_in"), y, 37, 96, Rounding.EXACT);
        assertClose("geglu", g.f32("geglu_out"), y, 1e-5);
    }

    @Test
    void layerNormTwinMatches() {
        Golden g = Golden.kernels();
        float[] out = new float[37 * 128];
        LayerNormReference.layerNorm(
                g.f32("layernorm_in"),
                out,
                g.f32("layernorm_weight"),
                null,
                37,
                128,
                1e-5f,
                Rounding.EXACT);
        assertClose("layernorm", g.f32("layernorm_out"), out, 1e-5);
    }

    @Test
    void naiveBf16TwinsAreMeasurablyWorseThanExact() {
        // The tolerance of every sweep is 2x the naive error: it must be a real, non-zero error.
        Golden g = Golden.kernels();
        float[] naive = new float[37 * 96];
        GegluReference.geglu(g.f32("geglu_in"), naive, 37, 96, Rounding.NAIVE_BF16);
        double err = Tolerance.maxAbsError(naive, g.f32("geglu_out"));
        assertTrue(
                err > 1e-4 && err < 0.05 * Tolerance.maxAbs(g.f32("geglu_out")),
                "naive geglu error " + err);
    }
}
