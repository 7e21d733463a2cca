package io.streambert.gpu.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.DeviceException;
import org.junit.jupiter.api.Test;

/**
 * The emulated device's model of an upload stream: a kernel (or copy) touching an upload's
 * destination before the device's stream waited for its event fails; so does rewriting the pinned
 * source before the host waited; with the waits the data arrives. Each test also shows the wrong
 * order failing, so a missing wait in the encoder cannot pass on the emulator.
 */
class UploadStreamTest {
    private final EmulatedDevice device = new EmulatedDevice();

    private static int[] ints(int n, int base) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = Float.floatToIntBits(base + i * 0.5f);
        return v;
    }

    /** sb_f32_to_bf16 reads dst (the uploaded floats) and writes out. */
    private void convert(DeviceBuffer in, DeviceBuffer out, int n) {
        device.launch("sb_f32_to_bf16", Dim3.of(1), Dim3.of(64), 0, in, out, n);
    }

    @Test
    void aKernelReadingAnUploadThatWasNotWaitedForFails() {
        int n = 65;
        try (UploadStream s = device.uploadStream();
                UploadStream.Pinned p = s.pinned(4L * n);
                DeviceBuffer dst = device.alloc(4L * n);
                DeviceBuffer out = device.alloc(2L * n)) {
            p.put(ints(n, 3), 0);
            s.upload(p, dst, 4L * n);
            UploadStream.Event e = s.record();
            DeviceException x = assertThrows(DeviceException.class, () -> convert(dst, out, n));
            assertTrue(x.getMessage().contains("has not been waited for"), x.getMessage());
            assertThrows(DeviceException.class, () -> device.download(dst, new float[n]));
            e.streamWait();
            convert(dst, out, n);
            float[] got = new float[n];
            device.downloadBf16(out, got);
            for (int i = 0; i < n; i++) assertTrue(got[i] == 3 + i * 0.5f, "element " + i);
        }
    }

    @Test
    void theDestinationIsGarbageUntilTheUploadLands() {
        int n = 8;
        try (UploadStream s = device.uploadStream();
                UploadStream.Pinned p = s.pinned(4L * n);
                DeviceBuffer dst = device.alloc(4L * n)) {
            device.upload(new int[n], dst); // zeros
            p.put(ints(n, 1), 0);
            s.upload(p, dst, 4L * n);
            UploadStream.Event e = s.record();
            // the model lands the copy only at the wait, reading the pinned memory as it is then
            e.hostWait();
            int[] got = new int[n];
            device.download(dst, got);
            assertArrayEquals(ints(n, 1), got);
        }
    }

    @Test
    void rewritingPinnedMemoryBeforeTheHostWaitedFails() {
        int n = 4;
        try (UploadStream s = device.uploadStream();
                UploadStream.Pinned p = s.pinned(4L * n);
                DeviceBuffer dst = device.alloc(4L * n)) {
            p.put(ints(n, 1), 0);
            s.upload(p, dst, 4L * n);
            UploadStream.Event e = s.record();
            DeviceException x = assertThrows(DeviceException.class, () -> p.put(ints(n, 9), 0));
            assertTrue(x.getMessage().contains("still pending"), x.getMessage());
            e.hostWait();
            p.put(ints(n, 9), 0); // allowed now; the landed upload keeps the old values
            int[] got = new int[n];
            device.download(dst, got);
            assertArrayEquals(ints(n, 1), got);
        }
    }

    @Test
    void anEventCoversOnlyTheUploadsBeforeIt() {
        int n = 4;
        try (UploadStream s = device.uploadStream();
                UploadStream.Pinned p1 = s.pinned(4L * n);
                UploadStream.Pinned p2 = s.pinned(4L * n);
                DeviceBuffer d1 = device.alloc(4L * n);
                DeviceBuffer d2 = device.alloc(4L * n)) {
            p1.put(ints(n, 1), 0);
            s.upload(p1, d1, 4L * n);
            UploadStream.Event first = s.record();
            p2.put(ints(n, 2), 0);
            s.upload(p2, d2, 4L * n);
            first.streamWait();
            int[] got = new int[n];
            device.download(d1, got);
            assertArrayEquals(ints(n, 1), got);
            assertThrows(DeviceException.class, () -> device.download(d2, new int[n]));
            device.synchronize(); // waits for every stream
            device.download(d2, got);
            assertArrayEquals(ints(n, 2), got);
        }
    }
}
