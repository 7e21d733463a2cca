package io.streambert.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.model.DType;
import io.streambert.engine.model.ModelLoadException;
import io.streambert.engine.model.Rewrite;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider's device choice and the facts it reports. */
class EncodersTest {
    @TempDir Path tmp;

    @Test
    void autoRunsOnTheCpuHere() {
        try (Encoder e = Encoders.open(TestModels.tinyA(), EncoderOptions.defaults())) {
            ModelInfo i = e.info();
            assertEquals("cpu", i.device());
            assertEquals("tiny-a", i.name());
            assertEquals(java.util.List.of("safe", "spam", "toxic"), i.labels());
            assertEquals(128, i.hiddenSize());
            assertEquals(128, i.embeddingDim());
            assertEquals(12, i.revision().length());
        }
    }

    @Test
    void cudaIsRefusedWithoutAGpuEmulatedOpensAndUnknownDevicesAreRefused() {
        var ex =
                assertThrows(
                        io.streambert.engine.DeviceException.class,
                        () ->
                                Encoders.open(
                                        TestModels.tinyA(),
                                        EncoderOptions.defaults().withDevice("cuda")));
        assertTrue(
                ex.getMessage().contains("cuda") && ex.getMessage().contains("not available"),
                ex.getMessage());
        assertTrue(ex.getMessage().contains("use --device cpu"), ex.getMessage());
        // cuda:N names one GPU (refused here for the same reason); a bad N is the caller's error,
        // not the device's.
        var one =
                assertThrows(
                        io.streambert.engine.DeviceException.class,
                        () ->
                                Encoders.open(
                                        TestModels.tinyA(),
                                        EncoderOptions.defaults().withDevice("cuda:1")));
        assertTrue(
                one.getMessage().contains("cuda:1") && one.getMessage().contains("not available"),
                one.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        Encoders.open(
                                TestModels.tinyA(),
                                EncoderOptions.defaults().withDevice("cuda:x")));
        try (Encoder e =
                Encoders.open(
                        TestModels.tinyA(), EncoderOptions.defaults().withDevice("emulated"))) {
            assertEquals("emulated", e.info().device());
            assertEquals(java.util.List.of("safe", "spam", "toxic"), e.info().labels());
        }
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        Encoders.open(
                                TestModels.tinyA(), EncoderOptions.defaults().withDevice("tpu")));
        assertThrows(
                ModelLoadException.class,
                () -> Encoders.open(tmp.resolve("nope"), EncoderOptions.defaults()));
    }

    @Test
    void revisionFollowsTheWeights() {
        Path same = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("same"));
        Path scaled =
                Rewrite.checkpoint(
                        TestModels.tinyA(),
                        tmp.resolve("scaled"),
                        DType.F32,
                        n -> n,
                        a -> {
                            for (int i = 0; i < a.length; i++) a[i] *= 1.01f;
                            return a;
                        });
        String r0, r1, r2;
        try (Encoder e = Encoders.open(TestModels.tinyA(), EncoderOptions.defaults())) {
            r0 = e.info().revision();
        }
        try (Encoder e = Encoders.open(same, EncoderOptions.defaults())) {
            r1 = e.info().revision();
        }
        try (Encoder e = Encoders.open(scaled, EncoderOptions.defaults())) {
            r2 = e.info().revision();
        }
        assertEquals(r0, r1);
        assertNotEquals(r0, r2, "same shapes, different values: the revision must differ");
    }
}
