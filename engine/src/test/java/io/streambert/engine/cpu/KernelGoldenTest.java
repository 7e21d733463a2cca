package io.streambert.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.TestModels;
import io.streambert.engine.model.SafeTensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plain-loop CPU twins against golden/kernels/vectors.safetensors (float64 reference on
 * bf16-exact inputs). Tolerance: |got - want| <= 1e-4 * max(1, |want|), what fp32 accumulation over
 * these sizes comfortably meets.
 */
class KernelGoldenTest {
    static final int HEADS = 2, HEAD_DIM = 64, TOKENS = 630;
    static SafeTensorsFile v;
    static int[] cu;

    @BeforeAll
    static void open() {
        v = SafeTensorsFile.open(TestModels.resource("kernels").resolve("vectors.safetensors"));
        cu = v.readInts("cu_seqlens");
    }

    @AfterAll
    static void close() {
        v.close();
    }

    static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            float tol = 1e-4f * Math.max(1f, Math.abs(want[i]));
            if (!(Math.abs(want[i] - got[i]) <= tol))
                throw new AssertionError(
                        what + " index " + i + ": want " + want[i] + " got " + got[i]);
        }
    }

    @Test
    void packedBatchIsWhatTheReadmeSays() {
        assertEquals(9, cu.length);
        assertEquals(TOKENS, cu[8]);
        assertEquals(300, cu[8] - cu[7]);
    }

    @Test
    void ropeBothThetas() {
        for (double theta : new double[] {10000, 160000}) {
            float[] qkv = v.readFloats("qkv");
            VectorOpsReference.rope(qkv, cu, HEADS, HEAD_DIM, RopeTable.of(theta, HEAD_DIM, 300));
            assertClose(v.readFloats("rope_theta" + (int) theta), qkv, "rope theta " + theta);
        }
    }

    @Test
    void attentionGlobalAndWindowed() {
        float[] qkv = v.readFloats("qkv");
        String[] names = {"attn_global", "attn_window16", "attn_window128"};
        int[] halfWindows = {-1, 8, 64};
        for (int k = 0; k < names.length; k++) {
            float[] out = new float[TOKENS * HEADS * HEAD_DIM];
            CpuKernels.attention(qkv, cu, HEADS, HEAD_DIM, halfWindows[k], out);
            assertClose(v.readFloats(names[k]), out, names[k]);
        }
        // the window must matter on this data, or the windowed checks prove nothing
        float[] g = v.readFloats("attn_global"), w = v.readFloats("attn_window16");
        float diff = 0;
        for (int i = 0; i < g.length; i++) diff = Math.max(diff, Math.abs(g[i] - w[i]));
        assertTrue(diff > 1e-2, "global and window16 references differ by " + diff);
    }

    @Test
    void geglu() {
        float[] in = v.readFloats("geglu_in");
        float[] out = new float[37 * 96];
        VectorOpsReference.geglu(in, 37, 96, out);
        assertClose(v.readFloats("geglu_out"), out, "geglu");
    }

    @Test
    void layerNormWithoutBias() {
        float[] in = v.readFloats("layernorm_in");
        float[] out = new float[in.length];
        VectorOpsReference.layerNorm(
                in, 37, 128, v.readFloats("layernorm_weight"), null, 1e-5f, out);
        assertClose(v.readFloats("layernorm_out"), out, "layernorm");
    }
}
