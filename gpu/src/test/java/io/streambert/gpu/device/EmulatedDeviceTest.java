package io.streambert.gpu.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.streambert.engine.DeviceException;
import io.streambert.engine.model.Bf16;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The emulated device end to end with the real conversion kernels of sb_convert.cu, and its error
 * reporting.
 */
class EmulatedDeviceTest {
    private final EmulatedDevice device = new EmulatedDevice();

    private static float[] randomFloats(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++)
            v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
        return v;
    }

    @Test
    void f32ToBf16KernelRoundsLikeTheJavaTwin() {
        for (int n : new int[] {1, 255, 256, 257, 10_000}) {
            float[] in = randomFloats(n, n);
            in[0] = 1f + 0x1p-8f; // a tie: must go to the even neighbour, 1
            try (DeviceBuffer x = device.alloc(4L * n);
                    DeviceBuffer y = device.alloc(2L * n)) {
                device.upload(in, x);
                // a small grid on purpose: the grid-stride loop must cover everything
                device.launch(
                        "sb_f32_to_bf16",
                        Dim3.of(Math.min((n + 255) / 256, 3)),
                        Dim3.of(256),
                        0,
                        x,
                        y,
                        n);
                float[] out = new float[n];
                device.downloadBf16(y, out);
                float[] twin = new float[n];
                for (int i = 0; i < n; i++) twin[i] = Bf16.round(in[i]);
                assertArrayEquals(twin, out, "n=" + n);
                assertEquals(1f, out[0]);
            }
        }
    }

    @Test
    void bf16ToF32KernelWidensExactly() {
        int n = 4097;
        float[] in = randomFloats(n, 7);
        try (DeviceBuffer x = device.alloc(2L * n);
                DeviceBuffer y = device.alloc(4L * n)) {
            device.uploadBf16(in, x);
            device.launch("sb_bf16_to_f32", Dim3.of(4), Dim3.of(128), 0, x, y, n);
            float[] out = new float[n];
            device.download(y, out);
            for (int i = 0; i < n; i++) assertEquals(Bf16.round(in[i]), out[i], "element " + i);
        }
    }

    @Test
    void slicesAddressTheRightBytes() {
        try (DeviceBuffer x = device.alloc(4 * 8);
                DeviceBuffer y = device.alloc(2 * 8)) {
            device.upload(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, x);
            device.launch(
                    "sb_f32_to_bf16",
                    Dim3.of(1),
                    Dim3.of(32),
                    0,
                    x.slice(4 * 4, 4 * 4),
                    y.slice(2 * 2, 2 * 4),
                    4);
            float[] out = new float[8];
            device.downloadBf16(y, out);
            assertArrayEquals(new float[] {5, 6, 7, 8}, java.util.Arrays.copyOfRange(out, 2, 6));
        }
    }

    @Test
    void launchesFromSeveralJavaThreadsAtOnceAllComplete() throws Exception {
        int threads = 4, n = 3000;
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(threads)) {
            var results = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
            for (int t = 0; t < threads; t++) {
                final long seed = t;
                results.add(
                        pool.submit(
                                () -> {
                                    float[] in = randomFloats(n, seed);
                                    float[] out = new float[n];
                                    for (int rep = 0; rep < 5; rep++) {
                                        try (DeviceBuffer x = device.alloc(4L * n);
                                                DeviceBuffer y = device.alloc(2L * n)) {
                                            device.upload(in, x);
                                            device.launch(
                                                    "sb_f32_to_bf16",
                                                    Dim3.of(8),
                                                    Dim3.of(128),
                                                    0,
                                                    x,
                                                    y,
                                                    n);
                                            device.downloadBf16(y, out);
                                        }
                                        for (int i = 0; i < n; i++)
                                            if (out[i] != Bf16.round(in[i])) return false;
                                    }
                                    return true;
                                }));
            }
            for (var r : results) assertTrue(r.get(), "a concurrent launch gave a wrong result");
        }
    }

    @Test
    void unknownKernelIsNamed() {
        DeviceException e =
                assertThrows(
                        DeviceException.class,
                        () -> device.launch("sb_no_such_kernel", Dim3.of(1), Dim3.of(1), 0));
        assertTrue(
                e.getMessage().contains("sb_no_such_kernel")
                        && e.getMessage().contains("sb_f32_to_bf16"),
                e.getMessage());
    }

    /**
     * Launches of sb_f32_to_bf16 (pointer, pointer, int) that must be refused before they run: the
     * block, the dynamic shared memory and what follows the two pointers, and what the refusal
     * names.
     */
    static Stream<Arguments> badLaunches() {
        return Stream.of(
                // wrong arguments
                arguments(
                        named("a float for the int", 32),
                        0,
                        new Object[] {4f},
                        List.of("takes (pointer, pointer, int)", "float")),
                arguments(
                        named("a missing argument", 32),
                        0,
                        new Object[] {},
                        List.of("sb_f32_to_bf16")),
                arguments(
                        named("a String for the int", 32),
                        0,
                        new Object[] {"4"},
                        List.of("argument 3 is String")),
                // a block too large
                arguments(
                        named("2048 threads a block", 2048),
                        0,
                        new Object[] {0},
                        List.of("sb_f32_to_bf16", "1..1024")),
                // dynamic shared memory above what every target has
                arguments(
                        named("100 KiB of dynamic shared memory", 32),
                        100 * 1024,
                        new Object[] {0},
                        List.of("dynamic shared memory")));
    }

    @ParameterizedTest(name = "{0} is rejected before launch")
    @MethodSource("badLaunches")
    void aBadLaunchIsRejectedBeforeItRuns(
            int blockThreads,
            int dynamicSharedBytes,
            Object[] afterPointers,
            List<String> expected) {
        try (DeviceBuffer x = device.alloc(16)) {
            Object[] args = new Object[2 + afterPointers.length];
            args[0] = x;
            args[1] = x;
            System.arraycopy(afterPointers, 0, args, 2, afterPointers.length);
            DeviceException e =
                    assertThrows(
                            DeviceException.class,
                            () ->
                                    device.launch(
                                            "sb_f32_to_bf16",
                                            Dim3.of(1),
                                            Dim3.of(blockThreads),
                                            dynamicSharedBytes,
                                            args));
            for (String n : expected) assertTrue(e.getMessage().contains(n), e.getMessage());
        }
    }

    @Test
    void uploadLargerThanTheBufferIsRejected() {
        try (DeviceBuffer x = device.alloc(8)) {
            DeviceException e =
                    assertThrows(DeviceException.class, () -> device.upload(new float[3], x));
            assertTrue(
                    e.getMessage().contains("12 bytes") && e.getMessage().contains("8 bytes"),
                    e.getMessage());
        }
    }

    @Test
    void freshMemoryIsPoisonedNotZeroed() {
        try (DeviceBuffer x = device.alloc(16)) {
            float[] f = new float[4];
            device.download(x, f);
            for (float v : f)
                assertTrue(Float.isNaN(v), "fresh device memory must not look like valid zeros");
        }
    }

    @Test
    void closedBufferIsRejected() {
        DeviceBuffer x = device.alloc(8);
        x.close();
        assertThrows(DeviceException.class, () -> device.upload(new float[1], x));
    }
}
