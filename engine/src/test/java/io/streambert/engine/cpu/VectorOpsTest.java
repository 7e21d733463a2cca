package io.streambert.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streambert.engine.TestModels;
import io.streambert.engine.model.SafeTensorsFile;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * VectorOps against the plain loops of VectorOpsReference (odd sizes, vector tails, multi-chunk
 * rows) and the kernel golden vectors.
 */
class VectorOpsTest {
    static float[] random(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (scale * r.nextGaussian());
        return a;
    }

    static void assertClose(float[] want, float[] got, float relTol, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(want[i] - got[i]) <= relTol * Math.max(1f, Math.abs(want[i])))) {
                throw new AssertionError(
                        what + " index " + i + ": want " + want[i] + " got " + got[i]);
            }
        }
    }

    @Test
    void gegluMatchesThePlainLoop() {
        Random r = new Random(1);
        for (int[] shape :
                new int[][] {{1, 1}, {3, 15}, {7, 17}, {33, 96}, {300, 192}, {5, 1152}}) {
            int rows = shape[0], inter = shape[1];
            float[] u = random(r, rows * 2 * inter, 3);
            u[0] = 0f;
            if (u.length > 3) {
                u[1] = -9f;
                u[2] = 9f;
                u[3] = -1e-30f;
            }
            float[] want = new float[rows * inter], got = new float[rows * inter];
            VectorOpsReference.geglu(u, rows, inter, want);
            VectorOps.geglu(u, rows, inter, got);
            assertClose(want, got, 2e-6f, "geglu " + rows + "x" + inter);
        }
    }

    @Test
    void layerNormMatchesThePlainLoop() {
        Random r = new Random(2);
        for (int[] shape : new int[][] {{1, 1}, {2, 7}, {9, 17}, {40, 128}, {2000, 96}}) {
            int rows = shape[0], dim = shape[1];
            float[] x = random(r, rows * dim, 2), w = random(r, dim, 1), b = random(r, dim, 0.1);
            for (int i = 0; i < dim; i++) x[i] += 50f; // a row with a large mean
            for (float[] bias : new float[][] {null, b}) {
                float[] want = new float[x.length], got = x.clone();
                VectorOpsReference.layerNorm(x, rows, dim, w, bias, 1e-5f, want);
                VectorOps.layerNorm(
                        got, rows, dim, w, bias, 1e-5f, got); // in place, as the encoder may do
                assertClose(
                        want,
                        got,
                        2e-5f,
                        "layerNorm " + rows + "x" + dim + (bias == null ? "" : " +bias"));
            }
        }
    }

    @Test
    void ropeMatchesThePlainLoop() {
        Random r = new Random(3);
        int[] cu = {0, 1, 3, 40, 41, 200, 700};
        for (int[] shape : new int[][] {{2, 64}, {3, 32}, {1, 6}, {4, 40}}) {
            int heads = shape[0], hd = shape[1];
            float[] qkv = random(r, 700 * 3 * heads * hd, 1);
            float[] want = qkv.clone(), got = qkv.clone();
            RopeTable table = RopeTable.of(10000, hd, 700);
            VectorOpsReference.rope(want, cu, heads, hd, table);
            VectorOps.rope(got, cu, heads, hd, table);
            assertClose(want, got, 1e-6f, "rope " + heads + "x" + hd);
        }
    }

    @Test
    void addMatchesThePlainLoop() {
        Random r = new Random(4);
        float[] x = random(r, 1003, 1), y = random(r, 1003, 1), want = x.clone();
        VectorOpsReference.addInPlace(want, y, 1000);
        VectorOps.addInPlace(x, y, 1000);
        assertClose(want, x, 0f, "add");
    }

    @Test
    void kernelGoldenVectors() {
        try (SafeTensorsFile v =
                SafeTensorsFile.open(
                        TestModels.resource("kernels").resolve("vectors.safetensors"))) {
            int[] cu = v.readInts("cu_seqlens");
            for (double theta : new double[] {10000, 160000}) {
                float[] qkv = v.readFloats("qkv");
                VectorOps.rope(qkv, cu, 2, 64, RopeTable.of(theta, 64, 300));
                assertClose(v.readFloats("rope_theta" + (int) theta), qkv, 1e-4f, "rope " + theta);
            }
            float[] g = new float[37 * 96];
            VectorOps.geglu(v.readFloats("geglu_in"), 37, 96, g);
            assertClose(v.readFloats("geglu_out"), g, 1e-4f, "geglu");
            float[] ln = new float[37 * 128];
            VectorOps.layerNorm(
                    v.readFloats("layernorm_in"),
                    37,
                    128,
                    v.readFloats("layernorm_weight"),
                    null,
                    1e-5f,
                    ln);
            assertClose(v.readFloats("layernorm_out"), ln, 1e-4f, "layernorm");
        }
    }

    /**
     * The same input gives bit-identical output before and after the JIT compiles the vector code
     * (reduceLanes and lanewise EXP did not: interpreter fallback and intrinsic differ), so the
     * engine is deterministic.
     */
    @Test
    void resultsDoNotChangeOnceCompiled() {
        Random r = new Random(5);
        int rows = 3, inter = 48, dim = 48;
        float[] u = random(r, rows * 2 * inter, 3),
                x = random(r, rows * dim, 2),
                w = random(r, dim, 1);
        float[] g0 = new float[rows * inter],
                l0 = new float[rows * dim],
                g = new float[rows * inter],
                l = new float[rows * dim];
        VectorOps.geglu(u, rows, inter, g0);
        VectorOps.layerNorm(x, rows, dim, w, null, 1e-5f, l0);
        for (int it = 0; it < 20_000; it++) {
            VectorOps.geglu(u, rows, inter, g);
            VectorOps.layerNorm(x, rows, dim, w, null, 1e-5f, l);
            if (it % 2000 == 0 || it == 19_999) {
                assertEquals(
                        0, java.util.Arrays.compare(g0, g), "geglu changed at iteration " + it);
                assertEquals(
                        0, java.util.Arrays.compare(l0, l), "layerNorm changed at iteration " + it);
            }
        }
    }
}
