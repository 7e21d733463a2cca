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
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * tiny-a's golden cases (float64 reference) through GpuBackend on each test device (TestDevices):
 * bf16 weights and activations, so the bounds are bf16-sized, not the CPU path's 1e-3 (see
 * GoldenBounds for each bound and why).
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("io.streambert.gpu.device.TestDevices#names")
class GpuGoldenTest {
    /** The device of this run of the class: one of TestDevices.names(). */
    @Parameter String device;

    static Engine encoder;
    static SafeTensorsFile expected;
    static List<Case> cases;
    static List<float[]> baseline;

    @BeforeParameterizedClassInvocation
    static void open(String device) throws java.io.IOException {
        Path tmp = java.nio.file.Files.createTempDirectory("gpu-golden-");
        encoder =
                GpuBackend.open(
                        TestModels.tinyA(), EncoderOptions.defaults(), TestDevices.open(device));
        expected = SafeTensorsFile.open(TestModels.tinyA().resolve("expected.safetensors"));
        cases = TestModels.cases();
        baseline =
                GoldenBaseline.hiddenWithBf16Weights(
                        TestModels.tinyA(), tmp, cases.stream().map(Case::inputIds).toList());
    }

    @AfterParameterizedClassInvocation
    static void close() {
        encoder.close();
        expected.close();
    }

    @Test
    void everyCaseInOneBatchIsCloseToTheReference() {
        List<int[]> batch = new ArrayList<>();
        for (Case c : cases) batch.add(c.inputIds());
        List<Prediction> out = encoder.encode(batch);
        List<float[]> hidden = encoder.hiddenStates(batch);
        assertEquals(cases.size(), out.size());
        GoldenBounds.Summary sum = new GoldenBounds.Summary("tiny-a");
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            GoldenBounds.check(
                    c.id(),
                    expected,
                    out.get(i),
                    hidden.get(i),
                    baseline.get(i),
                    c.expectedLabel(),
                    false,
                    sum);
            assertEquals(c.inputIds().length, out.get(i).tokens(), c.id());
        }
        sum.print();
        assertTrue(
                sum.labelsChecked >= cases.size() / 2,
                "labels checked on only " + sum.labelsChecked + " cases");
    }
}
