package io.streambert.gpu.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Engine;
import io.streambert.engine.Prediction;
import io.streambert.engine.TestModels;
import io.streambert.engine.TestModels.Case;
import io.streambert.engine.model.SafeTensorsFile;
import io.streambert.gpu.device.TestDevices;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * tiny-b through GpuBackend on EmulatedDevice: head_dim 32 (the hd32 attention kernel), every bias
 * (GEMM bias, LayerNorm bias, head dense bias in sb_bias_gelu, classifier bias), [CLS] classifier
 * pooling, multi-label sigmoid. Its weights are stored bf16, so the baseline (CPU fp32 on bf16
 * weights) is the CPU path itself.
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("io.streambert.gpu.device.TestDevices#names")
class GpuGoldenTinyBTest {
    /** The device of this run of the class: one of TestDevices.names(). */
    @Parameter String device;

    @TempDir Path tmp;

    @Test
    void everyCaseIsCloseToTheReference() {
        Path dir = TestModels.resource("tiny-b");
        List<Case> cases = TestModels.cases(dir);
        List<int[]> batch = new ArrayList<>();
        for (Case c : cases) batch.add(c.inputIds());
        List<float[]> baseline = GoldenBaseline.hiddenWithBf16Weights(dir, tmp, batch);
        try (Engine e = GpuBackend.open(dir, EncoderOptions.defaults(), TestDevices.open(device));
                SafeTensorsFile expected =
                        SafeTensorsFile.open(dir.resolve("expected.safetensors"))) {
            assertTrue(e.info().multiLabel());
            assertEquals(List.of("insult", "threat", "spam", "offtopic"), e.info().labels());
            List<Prediction> out = e.encode(batch);
            List<float[]> hidden = e.hiddenStates(batch);
            GoldenBounds.Summary sum = new GoldenBounds.Summary("tiny-b");
            for (int i = 0; i < cases.size(); i++)
                GoldenBounds.check(
                        cases.get(i).id(),
                        expected,
                        out.get(i),
                        hidden.get(i),
                        baseline.get(i),
                        null,
                        true,
                        sum);
            sum.print();
        }
    }
}
