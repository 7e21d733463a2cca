package io.streambert.gpu.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.EncoderOptions;
import io.streambert.engine.ModelDirectory;
import io.streambert.engine.TestModels;
import io.streambert.engine.cpu.RopeTable;
import io.streambert.gpu.device.EmulatedDevice;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The device's RoPE tables start small whatever max_position_embeddings says, and grow when longer
 * sequences come.
 */
class DeviceRopeTablesTest {
    @Test
    void tablesAreBuiltForTheFirstPositionsAndGrowOnDemand() {
        Path dir = TestModels.tinyA();
        ModelDirectory m = ModelDirectory.load(dir, EncoderOptions.defaults());
        try (EmulatedDevice device = new EmulatedDevice();
                DeviceWeights w =
                        new DeviceWeights(device, m.cfg(), m.weights(), Integer.MAX_VALUE, dir)) {
            DeviceWeights.Rope rope = w.layers.get(0).rope();
            assertEquals(RopeTable.INITIAL_POSITIONS, rope.positions(), "not 2^31 positions");
            w.ensureRope(RopeTable.INITIAL_POSITIONS + 1);
            assertTrue(rope.positions() >= RopeTable.INITIAL_POSITIONS + 1, "" + rope.positions());
            int half = m.cfg().headDim() / 2;
            float[] cos = new float[rope.positions() * half];
            device.download(rope.cos(), cos);
            int pos = RopeTable.INITIAL_POSITIONS;
            double angle = pos / Math.pow(m.cfg().globalRopeTheta(), 0.0);
            assertEquals(
                    (float) Math.cos(angle),
                    cos[pos * half],
                    0f,
                    "row " + pos + " of the grown table");
        }
    }
}
