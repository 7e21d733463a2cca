package io.streambert.gpu.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.streambert.engine.Backend;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Engine;
import io.streambert.engine.PackedBatch;
import io.streambert.engine.TestModels;
import io.streambert.gpu.device.TestDevices;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * GpuBackend.prefetch: the next batch's inputs staged (pinned memory, upload stream) before the
 * current batch's forward, so their uploads overlap it, give the same outputs as forwards that
 * stage their own inputs; in every order (staged, not staged, staged and then displaced). On the
 * emulator a forward whose kernels read the inputs before the device's stream waited for their
 * upload throws, so these also show the waits are in place.
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("io.streambert.gpu.device.TestDevices#names")
class GpuPrefetchTest {
    /** The device of this run of the class: one of TestDevices.names(). */
    @Parameter String device;

    private static PackedBatch batch(Random rnd, int... lengths) {
        int[] cu = new int[lengths.length + 1];
        for (int i = 0; i < lengths.length; i++) cu[i + 1] = cu[i] + lengths[i];
        int[] ids = new int[cu[lengths.length]];
        for (int i = 0; i < ids.length; i++) ids[i] = 1 + rnd.nextInt(199);
        return new PackedBatch(ids, cu);
    }

    @Test
    void prefetchedBatchesGiveTheSameOutputs() {
        try (Engine e =
                GpuBackend.open(
                        TestModels.tinyA(), EncoderOptions.defaults(), TestDevices.open(device))) {
            GpuBackend b = (GpuBackend) e.backend();
            Random rnd = new Random(3);
            PackedBatch p1 = batch(rnd, 70, 1, 9), p2 = batch(rnd, 130, 17), p3 = batch(rnd, 65);
            Backend.Output r1 = b.forward(p1), r2 = b.forward(p2), r3 = b.forward(p3);
            // the encoder's order with prefetch: stage the next, then run the current
            b.prefetch(p2);
            same(r1, b.forward(p1));
            b.prefetch(p3);
            same(r2, b.forward(p2));
            same(r3, b.forward(p3));
            // staged twice ahead: p1's slot is displaced by p3 before p1 runs; still right
            b.prefetch(p1);
            b.prefetch(p2);
            b.prefetch(p3);
            same(r1, b.forward(p1));
            same(r2, b.forward(p2));
            same(r3, b.forward(p3));
        }
    }

    private static void same(Backend.Output want, Backend.Output got) {
        assertNotNull(got.embeddings());
        for (int s = 0; s < want.embeddings().length; s++) {
            assertArrayEquals(want.embeddings()[s], got.embeddings()[s], 0f, "embedding " + s);
            assertArrayEquals(want.logits()[s], got.logits()[s], 0f, "logits " + s);
        }
    }
}
