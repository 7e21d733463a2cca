package io.streambert.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Engine;
import io.streambert.engine.Prediction;
import io.streambert.engine.TestModels;
import io.streambert.engine.TestModels.Case;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Without the native library (here: switched off with -Dstreambert.cpu.native=false, which the
 * build's "native-off" test run sets), int8 and bf16 run the fp32 Java kernels and give the fp32
 * results. Skipped in the normal run.
 */
class PrecisionFallbackTest {

    @Test
    void int8AndBf16FallBackToFp32() {
        assumeTrue(
                "false".equals(System.getProperty("streambert.cpu.native")),
                "only in the native-off run");
        assertFalse(NativeCpu.int8());
        assertFalse(NativeCpu.bf16());
        assertTrue(NativeCpu.describe().contains("disabled"), NativeCpu.describe());
        assertEquals(Precision.FP32, Precision.INT8.available());
        assertThrows(
                IllegalStateException.class, () -> Int8Linear.quantize(new float[4], null, 2, 2));
        assertThrows(
                IllegalStateException.class,
                () ->
                        Bf16Attention.attention(
                                new float[6], new int[] {0, 1}, 1, 2, -1, new float[2]));
        List<int[]> batch = TestModels.cases().stream().map(Case::inputIds).toList();
        try (Engine fp32 = CpuBackend.open(TestModels.tinyA(), EncoderOptions.defaults());
                Engine int8 =
                        CpuBackend.open(
                                TestModels.tinyA(), EncoderOptions.defaults(), Precision.INT8);
                Engine bf16 =
                        CpuBackend.open(
                                TestModels.tinyA(), EncoderOptions.defaults(), Precision.BF16)) {
            assertEquals(Precision.FP32, CpuBackend.precisionOf(int8));
            assertEquals(Precision.FP32, CpuBackend.precisionOf(bf16));
            List<Prediction> a = fp32.encode(batch), b = int8.encode(batch), c = bf16.encode(batch);
            // the fp32 kernels are the same code, so only JIT-state rounding (vector EXP and lane
            // sums in attention)
            // may differ: far below int8's ~1e-2 or bf16's ~1e-3 on these embeddings
            for (int i = 0; i < batch.size(); i++) {
                assertTrue(
                        TestModels.maxAbsDiff(a.get(i).embedding(), b.get(i).embedding()) <= 1e-5,
                        "int8 case " + i);
                assertTrue(
                        TestModels.maxAbsDiff(a.get(i).embedding(), c.get(i).embedding()) <= 1e-5,
                        "bf16 case " + i);
            }
        }
    }
}
