package io.streambert.gpu.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * TimedDevice on the emulated device: launches and GEMMs do their work and are counted under their
 * names until drained.
 */
class TimedDeviceTest {
    private final EmulatedDevice emulated = new EmulatedDevice();
    private final TimedDevice device = new TimedDevice(emulated);

    @Test
    void launchesAndProductsAreCountedByNameUntilDrained() {
        try (DeviceBuffer x = device.alloc(4 * 4);
                DeviceBuffer y = device.alloc(2 * 4);
                DeviceBuffer a = device.alloc(2 * 2 * 3);
                DeviceBuffer w = device.alloc(2 * 4 * 3);
                DeviceBuffer c = device.alloc(4 * 2 * 4);
                EmulatedGemm inner = new EmulatedGemm(emulated);
                Gemm gemm = device.timed(inner)) {
            device.upload(new float[] {1, 2, 3, 4}, x);
            for (int i = 0; i < 2; i++)
                device.launch("sb_f32_to_bf16", Dim3.of(1), Dim3.of(32), 0, x, y, 4);
            device.uploadBf16(new float[] {1, 0, 0, 0, 1, 0}, a); // A [2, 3]
            device.uploadBf16(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, w); // W [4, 3]
            gemm.run(a, w, null, c, Gemm.Output.FP32, 2, 4, 3);

            float[] bf16 = new float[4];
            device.downloadBf16(y, bf16);
            assertArrayEquals(new float[] {1, 2, 3, 4}, bf16, "the launches did their work");
            float[] product = new float[8];
            device.download(c, product);
            assertArrayEquals(
                    new float[] {1, 4, 7, 10, 2, 5, 8, 11}, product, "the product did its work");

            Map<String, double[]> times = device.drain();
            List<String> names = List.copyOf(times.keySet());
            assertEquals(2, names.size(), names.toString());
            assertEquals("sb_f32_to_bf16", names.get(0));
            assertTrue(
                    names.get(1).startsWith("gemm 2x4x3")
                            && names.get(1).contains(inner.toString()),
                    names.get(1));
            assertEquals(1, times.get(names.get(1))[1], "product count");
            assertEquals(2, times.get("sb_f32_to_bf16")[1], "launch count");
            for (double[] t : times.values()) assertTrue(t[0] >= 0, "milliseconds " + t[0]);
            assertEquals(Map.of(), device.drain(), "drain resets");
        }
    }

    @Test
    void theRestIsTheInnerDevices() {
        assertEquals("emulated", device.name());
        assertSame(emulated, device.inner());
        assertTrue(
                device.uploadStream() instanceof EmulatedUploadStream,
                "the inner device's upload stream");
    }
}
