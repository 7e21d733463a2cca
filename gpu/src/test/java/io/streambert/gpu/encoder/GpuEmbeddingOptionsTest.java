package io.streambert.gpu.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Encoders;
import io.streambert.engine.Engine;
import io.streambert.engine.InputRejectedException;
import io.streambert.engine.Prediction;
import io.streambert.engine.TestModels;
import io.streambert.gpu.device.TestDevices;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The embedding options the CPU path supports give the same vectors on the device (Matryoshka
 * truncation then renormalisation; [CLS] pooling): cosine >= 0.995 against the CPU backend (bf16
 * noise, see GoldenBounds), unit norm, and the same input rejections.
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("io.streambert.gpu.device.TestDevices#names")
class GpuEmbeddingOptionsTest {
    /** The device of this run of the class: one of TestDevices.names(). */
    @Parameter String device;

    @Test
    void matryoshkaAndClsPoolingMatchTheCpuEncoder() {
        List<int[]> batch =
                List.of(
                        new int[] {1, 40, 41, 42, 2},
                        new int[] {
                            1, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 2
                        });
        for (EncoderOptions o :
                List.of(
                        EncoderOptions.defaults().withEmbeddingDim(32),
                        EncoderOptions.defaults().withPooling("cls"))) {
            try (Encoder cpu = Encoders.open(TestModels.tinyA(), o.withDevice("cpu"));
                    Engine gpu = GpuBackend.open(TestModels.tinyA(), o, TestDevices.open(device))) {
                assertEquals(cpu.info().embeddingDim(), gpu.info().embeddingDim());
                List<Prediction> c = cpu.encode(batch), g = gpu.encode(batch);
                for (int s = 0; s < batch.size(); s++) {
                    float[] ge = g.get(s).embedding();
                    assertEquals(c.get(s).embedding().length, ge.length);
                    double cos = GoldenBounds.cosine(c.get(s).embedding(), ge);
                    assertTrue(
                            cos >= GoldenBounds.MIN_COSINE,
                            o + " sequence " + s + " cosine " + cos);
                    double n = 0;
                    for (float v : ge) n += v * v;
                    assertEquals(1.0, n, 1e-5, "norm^2");
                }
            }
        }
    }

    @Test
    void rejectsWhatTheCpuEncoderRejects() {
        try (Engine gpu =
                GpuBackend.open(
                        TestModels.tinyA(),
                        EncoderOptions.defaults().withMaxTokens(8),
                        TestDevices.open(device))) {
            assertThrows(InputRejectedException.class, () -> gpu.encode(List.of(new int[0])));
            assertThrows(InputRejectedException.class, () -> gpu.encode(List.of(new int[9])));
            var e =
                    assertThrows(
                            InputRejectedException.class,
                            () -> gpu.encode(List.of(new int[] {1, -3, 2})));
            assertTrue(e.getMessage().contains("outside the vocabulary"), e.getMessage());
        }
    }
}
