package io.streambert.gpu.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.DeviceException;
import io.streambert.engine.model.Bf16;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SIMT emulator against CUDA's documented semantics, through the self-test kernels of
 * src/test/cuda/sb_emu_selftest.cu. Every expected value is computed here, from the CUDA
 * Programming Guide's description of each primitive (and the PTX ISA's mma fragment layouts for the
 * mma kernel's loads and stores), never read back from the emulator.
 */
class EmulatorSelfTest {
    private static EmulatedDevice device;

    @BeforeAll
    static void open() {
        device = new EmulatedDevice(List.of("/native/linux-x86_64/libstreambert_emu_test.so"));
    }

    @AfterAll
    static void restoreWorkers() {
        device.setWorkers(0);
    }

    private int[] runInts(
            String kernel, Dim3 grid, Dim3 block, int dyn, int outInts, Object... before) {
        try (DeviceBuffer out = device.alloc(4L * outInts)) {
            Object[] args = new Object[before.length + 1];
            args[0] = out;
            System.arraycopy(before, 0, args, 1, before.length);
            device.launch(kernel, grid, block, dyn, args);
            int[] r = new int[outInts];
            device.download(out, r);
            return r;
        }
    }

    @Test
    void barrierOrdersWritesBeforeReadsAcrossWarpsInEveryPhase() {
        for (Dim3 block :
                new Dim3[] {Dim3.of(256), new Dim3(8, 4, 2), Dim3.of(33), Dim3.of(1024)}) {
            int n = (int) block.count(), phases = 5;
            int[] out = runInts("emu_barrier_phases", Dim3.of(1), block, 0, phases * n, phases);
            for (int p = 0; p < phases; p++)
                for (int t = 0; t < n; t++)
                    assertEquals(
                            ((t + 37 * (p + 1)) % n) * 1000 + p,
                            out[p * n + t],
                            "block " + block + " phase " + p + " thread " + t);
        }
    }

    /**
     * mode 0 idx, 1 up, 2 down, 3 xor, as CUDA's Programming Guide describes __shfl*_sync with a
     * width.
     */
    private static int expectedShuffle(int[] in, int t, int mode, int arg, int width) {
        int warpBase = t / 32 * 32, lane = t % 32, segment = lane / width * width;
        return switch (mode) {
            case 0 -> in[warpBase + segment + Math.floorMod(arg, width)];
            case 1 -> lane - segment >= arg ? in[t - arg] : in[t];
            case 2 -> lane - segment + arg < width ? in[t + arg] : in[t];
            case 3 -> {
                int src = lane ^ arg; // a later segment gives the caller its own value; earlier
                // ones are readable
                yield src < segment + width ? in[warpBase + src] : in[t];
            }
            default -> throw new IllegalArgumentException();
        };
    }

    @Test
    void everyShuffleWithEveryWidth() {
        int n = 64;
        int[] in = new int[n];
        for (int t = 0; t < n; t++) in[t] = 3 * t + 1;
        int[][] argsByMode = {
            {0, 5, 31, 33, -1}, {0, 1, 2, 5, 16, 31}, {0, 1, 2, 5, 16, 31}, {1, 2, 3, 4, 8, 16, 31}
        };
        try (DeviceBuffer inBuf = device.alloc(4L * n);
                DeviceBuffer out = device.alloc(4L * n)) {
            device.upload(in, inBuf);
            for (int mode = 0; mode < 4; mode++)
                for (int arg : argsByMode[mode])
                    for (int width : new int[] {32, 16, 8, 4, 2, 1}) {
                        device.launch(
                                "emu_shuffle_int",
                                Dim3.of(1),
                                Dim3.of(n),
                                0,
                                inBuf,
                                out,
                                mode,
                                arg,
                                width);
                        int[] got = new int[n];
                        device.download(out, got);
                        for (int t = 0; t < n; t++)
                            assertEquals(
                                    expectedShuffle(in, t, mode, arg, width),
                                    got[t],
                                    "mode "
                                            + mode
                                            + " arg "
                                            + arg
                                            + " width "
                                            + width
                                            + " thread "
                                            + t);
                    }
        }
    }

    @Test
    void butterflyReductionGivesEveryLaneTheWarpSum() {
        int n = 96;
        float[] in = new float[n];
        for (int t = 0; t < n; t++)
            in[t] = t * t % 17 - 8; // small integers: every order of summation is exact
        try (DeviceBuffer a = device.alloc(4L * n);
                DeviceBuffer b = device.alloc(4L * n)) {
            device.upload(in, a);
            device.launch("emu_warp_sum_float", Dim3.of(1), Dim3.of(n), 0, a, b);
            float[] got = new float[n];
            device.download(b, got);
            for (int w = 0; w < n / 32; w++) {
                float sum = 0;
                for (int l = 0; l < 32; l++) sum += in[w * 32 + l];
                for (int l = 0; l < 32; l++)
                    assertEquals(sum, got[w * 32 + l], "warp " + w + " lane " + l);
            }
        }
    }

    @Test
    void ballotAllAnyOverFullAndPartialMasks() {
        int n = 64;
        Random r = new Random(3);
        for (int mask : new int[] {0xffffffff, 0x0000ffff, 0xaaaaaaaa, 0x00000001, 0x80000001}) {
            for (int pattern = 0; pattern < 4; pattern++) {
                int[] pred = new int[n];
                for (int t = 0; t < n; t++)
                    pred[t] =
                            switch (pattern) {
                                case 0 -> 0;
                                case 1 -> 7; // any non-zero value is true
                                default -> r.nextInt(3) == 0 ? -1 : 0;
                            };
                int[] got;
                try (DeviceBuffer p = device.alloc(4L * n);
                        DeviceBuffer out = device.alloc(12L * n)) {
                    device.upload(pred, p);
                    device.launch("emu_votes", Dim3.of(1), Dim3.of(n), 0, p, out, mask);
                    got = new int[3 * n];
                    device.download(out, got);
                }
                for (int t = 0; t < n; t++) {
                    int lane = t % 32, base = t / 32 * 32;
                    if ((mask & (1 << lane)) == 0) {
                        assertEquals(0xdeadbeef, got[3 * t]);
                        continue;
                    }
                    int ballot = 0;
                    for (int l = 0; l < 32; l++)
                        if ((mask & (1 << l)) != 0 && pred[base + l] != 0) ballot |= 1 << l;
                    String where =
                            "mask "
                                    + Integer.toHexString(mask)
                                    + " pattern "
                                    + pattern
                                    + " thread "
                                    + t;
                    assertEquals(ballot, got[3 * t], "ballot, " + where);
                    assertEquals(ballot == mask ? 1 : 0, got[3 * t + 1], "all, " + where);
                    assertEquals(ballot != 0 ? 1 : 0, got[3 * t + 2], "any, " + where);
                }
            }
        }
    }

    @Test
    void warpReductionsAndMatchesOverFullAndPartialMasks() {
        int n = 64;
        Random r = new Random(23);
        for (int mask : new int[] {0xffffffff, 0x00ff00f0, 0x80000001}) {
            for (int pattern = 0; pattern < 3; pattern++) {
                int[] in = new int[n];
                for (int t = 0; t < n; t++)
                    in[t] =
                            switch (pattern) {
                                case 0 -> r.nextInt(); // full range: signed and unsigned
                                // orders differ
                                case 1 -> 3 * r.nextInt(1000); // all equal mod 3: __match_all_sync
                                // succeeds
                                default -> r.nextInt(7) - 3;
                            };
                int[] out = new int[8 * n], match = new int[2 * n], pred = new int[n];
                try (DeviceBuffer a = device.alloc(4L * n);
                        DeviceBuffer o = device.alloc(32L * n);
                        DeviceBuffer m = device.alloc(8L * n);
                        DeviceBuffer p = device.alloc(4L * n)) {
                    device.upload(in, a);
                    device.launch("emu_reduce_match", Dim3.of(1), Dim3.of(n), 0, a, o, m, p, mask);
                    device.download(o, out);
                    device.download(m, match);
                    device.download(p, pred);
                }
                for (int t = 0; t < n; t++) {
                    int lane = t % 32, base = t / 32 * 32;
                    if ((mask & (1 << lane)) == 0) continue;
                    int add = 0, and = -1, or = 0, xor = 0;
                    int min = Integer.MAX_VALUE, max = Integer.MIN_VALUE, umin = -1, umax = 0;
                    int all = mask, any = 0;
                    for (int l = 0; l < 32; l++) {
                        if ((mask & (1 << l)) == 0) continue;
                        int v = in[base + l];
                        add += v;
                        and &= v;
                        or |= v;
                        xor ^= v;
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                        umin = Integer.compareUnsigned(v, umin) < 0 ? v : umin;
                        umax = Integer.compareUnsigned(v, umax) > 0 ? v : umax;
                        if (v % 3 == in[t] % 3) any |= 1 << l;
                        if (v % 3 != in[base + Integer.numberOfTrailingZeros(mask)] % 3) all = 0;
                    }
                    String where =
                            "mask "
                                    + Integer.toHexString(mask)
                                    + " pattern "
                                    + pattern
                                    + " thread "
                                    + t;
                    int[] want = {add, min, max, umin, umax, and, or, xor};
                    for (int k = 0; k < 8; k++)
                        assertEquals(want[k], out[8 * t + k], "reduction " + k + ", " + where);
                    assertEquals(any, match[2 * t], "__match_any_sync, " + where);
                    assertEquals(all, match[2 * t + 1], "__match_all_sync, " + where);
                    assertEquals(all != 0 ? 1 : 0, pred[t], "__match_all_sync predicate, " + where);
                }
            }
        }
    }

    @Test
    void atomicsAreExactAcrossBlocksOnBothWorkers() {
        device.setWorkers(2);
        int blocks = 50, threads = 128, total = blocks * threads;
        try (DeviceBuffer counter = device.alloc(4);
                DeviceBuffer fsum = device.alloc(4);
                DeviceBuffer imax = device.alloc(4);
                DeviceBuffer imin = device.alloc(4);
                DeviceBuffer workers = device.alloc(4L * blocks)) {
            device.upload(new int[] {0}, counter);
            device.upload(new float[] {0f}, fsum);
            device.upload(new int[] {Integer.MIN_VALUE}, imax);
            device.upload(new int[] {Integer.MAX_VALUE}, imin);
            device.launch(
                    "emu_atomics",
                    Dim3.of(blocks),
                    Dim3.of(threads),
                    0,
                    counter,
                    fsum,
                    imax,
                    imin,
                    workers);
            int[] i = new int[1];
            float[] f = new float[1];
            device.download(counter, i);
            assertEquals(total, i[0], "atomicAdd(int)");
            device.download(fsum, f);
            assertEquals(total, f[0], "atomicAdd(float) of 1.0 (exact below 2^24)");
            device.download(imax, i);
            assertEquals(total - 1, i[0], "atomicMax");
            device.download(imin, i);
            assertEquals(-(total - 1), i[0], "atomicMin");
            int[] w = new int[blocks];
            device.download(workers, w);
            Set<Integer> used = new HashSet<>();
            for (int x : w) used.add(x);
            assertEquals(Set.of(0, 1), used, "blocks must run on both workers");
        }
    }

    @Test
    void staticAndDynamicSharedMemoryBelongToOneBlockWhileBlocksRunConcurrently() {
        device.setWorkers(2);
        int threads = 256;
        try (DeviceBuffer arrive = device.alloc(8)) {
            device.upload(new int[] {0, 0}, arrive);
            int[] out =
                    runInts(
                            "emu_shared_isolation",
                            Dim3.of(2),
                            Dim3.of(threads),
                            4 * threads,
                            2 * threads,
                            arrive);
            for (int t = 0; t < 2 * threads; t++) {
                assertTrue(
                        out[t] != 2,
                        "blocks 0 and 1 did not run at the same time on the two workers");
                assertEquals(
                        1,
                        out[t],
                        "block "
                                + t / threads
                                + " thread "
                                + t % threads
                                + " saw another block's shared memory");
            }
        }
    }

    @Test
    void dynamicSharedMemoryStartsAsNaNInEveryBlock() {
        device.setWorkers(2);
        int[] out = runInts("emu_dynamic_shared_poison", Dim3.of(6), Dim3.of(64), 256, 6 * 64);
        for (int t = 0; t < out.length; t++) assertEquals(0xffffffff, out[t], "thread " + t);
    }

    @Test
    void syncthreadsCountAndOrGiveEveryThreadItsOwnBarriersResult() {
        Random r = new Random(5);
        for (Dim3 block : new Dim3[] {Dim3.of(96), new Dim3(16, 4, 2)}) {
            int n = (int) block.count();
            for (int pattern = 0; pattern < 3; pattern++) {
                int[] pred = new int[n];
                for (int t = 0; t < n; t++)
                    pred[t] = pattern == 0 ? 0 : pattern == 1 ? 3 : r.nextInt(2);
                int count = 0;
                for (int p : pred) count += p != 0 ? 1 : 0;
                int[] got;
                try (DeviceBuffer p = device.alloc(4L * n);
                        DeviceBuffer out = device.alloc(16L * n)) {
                    device.upload(pred, p);
                    device.launch("emu_syncthreads_count", Dim3.of(1), block, 0, p, out);
                    got = new int[4 * n];
                    device.download(out, got);
                }
                for (int t = 0; t < n; t++) {
                    String where = "block " + block + " pattern " + pattern + " thread " + t;
                    assertEquals(count, got[4 * t], "count, " + where);
                    assertEquals(count == n ? 1 : 0, got[4 * t + 1], "and, " + where);
                    assertEquals(count > 0 ? 1 : 0, got[4 * t + 2], "or, " + where);
                    assertEquals(n - count, got[4 * t + 3], "count of the negation, " + where);
                }
            }
        }
    }

    @Test
    void barrierNotReachedByAllThreadsIsADeadlockError() {
        assertOneBlockFails(
                "emu_deadlock_barrier",
                64,
                "emu_deadlock_barrier",
                "deadlock",
                "32 wait at __syncthreads",
                "32 exited");
        // the emulator recovers: the next launch runs normally
        barrierOrdersWritesBeforeReadsAcrossWarpsInEveryPhase();
    }

    @Test
    void warpExchangeNamingAnExitedLaneIsADeadlockError() {
        assertOneBlockFails(
                "emu_deadlock_warp", 32, "deadlock", "__shfl_xor_sync", "lanes 0x0000ffff exited");
    }

    @Test
    void lanesMeetingAtDifferentPrimitivesIsAnError() {
        assertOneBlockFails("emu_mismatched_warp_ops", 32, "__ballot_sync", "__shfl_xor_sync");
    }

    /**
     * Running {@code kernel} on one block of {@code threads} threads (one int out per thread) fails
     * with a DeviceException whose message names each of {@code named}.
     */
    private void assertOneBlockFails(String kernel, int threads, String... named) {
        DeviceException e =
                assertThrows(
                        DeviceException.class,
                        () -> runInts(kernel, Dim3.of(1), Dim3.of(threads), 0, threads));
        for (String n : named) assertTrue(e.getMessage().contains(n), e.getMessage());
    }

    @Test
    void bf16AndHalfConversionsRoundToNearestEven() {
        // Exact values, ties, subnormals of both formats, overflow, infinities, NaN, and random
        // values over the range.
        java.util.List<Float> v =
                new java.util.ArrayList<>(
                        java.util.List.of(
                                0f,
                                -0f,
                                1f,
                                -1.5f,
                                65504f,
                                65520f,
                                65519.996f,
                                1e5f,
                                -1e5f,
                                6.1035156e-5f,
                                6.0e-8f,
                                5.9604645e-8f,
                                2.9802322e-8f,
                                2.9802326e-8f,
                                1e-10f,
                                1.0e-40f,
                                Float.MIN_VALUE,
                                Float.MAX_VALUE,
                                Float.POSITIVE_INFINITY,
                                Float.NEGATIVE_INFINITY,
                                Float.NaN,
                                1f + 0x1p-8f,
                                1f + 3 * 0x1p-8f,
                                1f + 0x1p-11f,
                                1f + 3 * 0x1p-11f,
                                2049f,
                                2051f));
        Random r = new Random(17);
        for (int i = 0; i < 4000; i++) v.add(Float.intBitsToFloat(r.nextInt()));
        for (int i = 0; i < 1000; i++)
            v.add((float) (r.nextGaussian() * Math.pow(2, r.nextInt(40) - 26)));
        int n = v.size();
        float[] in = new float[n];
        for (int i = 0; i < n; i++) in[i] = v.get(i);
        int[] bfBits = new int[(n + 1) / 2], hfBits = new int[(n + 1) / 2];
        float[] bfBack = new float[n], hfBack = new float[n];
        try (DeviceBuffer x = device.alloc(4L * n);
                DeviceBuffer bf = device.alloc(4L * bfBits.length);
                DeviceBuffer hf = device.alloc(4L * hfBits.length);
                DeviceBuffer bb = device.alloc(4L * n);
                DeviceBuffer hb = device.alloc(4L * n)) {
            device.upload(in, x);
            device.launch(
                    "emu_conversions",
                    Dim3.of((n + 127) / 128),
                    Dim3.of(128),
                    0,
                    x,
                    bf,
                    hf,
                    bb,
                    hb,
                    n);
            device.download(bf, bfBits);
            device.download(hf, hfBits);
            device.download(bb, bfBack);
            device.download(hb, hfBack);
        }
        for (int i = 0; i < n; i++) {
            int bfi = (bfBits[i / 2] >>> (16 * (i % 2))) & 0xffff,
                    hfi = (hfBits[i / 2] >>> (16 * (i % 2))) & 0xffff;
            String where =
                    "value "
                            + in[i]
                            + " (0x"
                            + Integer.toHexString(Float.floatToRawIntBits(in[i]))
                            + ")";
            float x = in[i];
            if (Float.isNaN(x)) {
                assertTrue(
                        Float.isNaN(Bf16.toFloat((short) bfi))
                                && Float.isNaN(Float.float16ToFloat((short) hfi)),
                        where);
                continue;
            }
            assertEquals(Bf16.fromFloat(x) & 0xffff, bfi, "bf16 bits, " + where);
            // the JDK's binary16 conversion (round to nearest even) is the independent oracle for
            // __half
            assertEquals(Float.floatToFloat16(x) & 0xffff, hfi, "half bits, " + where);
            assertEquals(Bf16.toFloat((short) bfi), bfBack[i], "bf16 widened, " + where);
            assertEquals(Float.float16ToFloat((short) hfi), hfBack[i], "half widened, " + where);
        }
    }

    // ---- mma
    // ------------------------------------------------------------------------------------------------

    /** D = A B + C for 16x16 A (row-major), 16x8 B (k-major), 16x8 C, in double. */
    private static double[] product(float[] a, float[] b, float[] c) {
        double[] d = new double[128];
        for (int r = 0; r < 16; r++)
            for (int n = 0; n < 8; n++) {
                double s = c[r * 8 + n];
                for (int k = 0; k < 16; k++) s += (double) a[r * 16 + k] * b[k * 8 + n];
                d[r * 8 + n] = s;
            }
        return d;
    }

    @Test
    void mmaMatchesThePlainProductForEveryFragmentPosition() {
        int tiles = 6; // 3 blocks of 2 warps
        float[] a = new float[tiles * 256], b = new float[tiles * 128], c = new float[tiles * 128];
        Random rnd = new Random(11);
        int[] perm = {5, 0, 13, 8, 2, 15, 11, 7}; // D column n picks A column perm[n]
        for (int w = 0; w < tiles; w++) {
            for (int i = 0; i < 256; i++) {
                int r = i / 16, k = i % 16;
                a[w * 256 + i] =
                        switch (w % 3) {
                            case 0 ->
                                    r * 16 + k; // A entries encode their (row, col); exact in bf16
                            case 1 ->
                                    k == (r * 7 + 3) % 16
                                            ? 1f
                                            : 0f; // one-hot rows: D row r is B row (7r+3) mod 16
                            default -> Bf16.round((float) rnd.nextGaussian());
                        };
            }
            for (int i = 0; i < 128; i++) {
                int k = i / 8, n = i % 8;
                b[w * 128 + i] =
                        switch (w % 3) {
                            case 0 -> k == perm[n] ? 1f : 0f; // D column n is A column perm[n]
                            case 1 -> k * 8 + n; // B entries encode their (row, col)
                            default -> Bf16.round((float) rnd.nextGaussian());
                        };
                c[w * 128 + i] = w % 3 == 2 ? (float) rnd.nextGaussian() : 1000f * i;
            }
        }
        float[] d = new float[tiles * 128];
        try (DeviceBuffer A = device.alloc(2L * a.length);
                DeviceBuffer B = device.alloc(2L * b.length);
                DeviceBuffer C = device.alloc(4L * c.length);
                DeviceBuffer D = device.alloc(4L * d.length)) {
            device.uploadBf16(a, A);
            device.uploadBf16(b, B);
            device.upload(c, C);
            device.launch("emu_mma_tiles", Dim3.of(3), Dim3.of(64), 0, A, B, C, D);
            device.download(D, d);
        }
        for (int w = 0; w < tiles; w++) {
            float[] aw = java.util.Arrays.copyOfRange(a, w * 256, w * 256 + 256);
            float[] bw = java.util.Arrays.copyOfRange(b, w * 128, w * 128 + 128);
            float[] cw = java.util.Arrays.copyOfRange(c, w * 128, w * 128 + 128);
            double[] want = product(aw, bw, cw);
            for (int i = 0; i < 128; i++) {
                int r = i / 8, n = i % 8;
                String where = "tile " + w + " D[" + r + "][" + n + "]";
                if (w % 3 == 0)
                    assertEquals(r * 16 + perm[n] + 1000.0 * i, d[w * 128 + i], 0.0, where);
                else if (w % 3 == 1)
                    assertEquals(
                            ((r * 7 + 3) % 16) * 8 + n + 1000.0 * i, d[w * 128 + i], 0.0, where);
                else {
                    // fp32 accumulation of 16 exact products: error below 16 ulp of the sum of
                    // magnitudes
                    double mag = Math.abs(cw[i]);
                    for (int k = 0; k < 16; k++)
                        mag += Math.abs((double) aw[r * 16 + k] * bw[k * 8 + n]);
                    assertEquals(want[i], d[w * 128 + i], 16 * Math.ulp((float) mag), where);
                }
            }
        }
    }

    // ---- geometry
    // -------------------------------------------------------------------------------------------

    @Test
    void threadAndBlockIndicesInOneTwoAndThreeDimensions() {
        Dim3[][] shapes = {
            {Dim3.of(7), Dim3.of(32)},
            {new Dim3(3, 2, 2), new Dim3(4, 3, 2)},
            {new Dim3(1, 3, 1), new Dim3(5, 1, 7)},
            {Dim3.of(2), Dim3.of(1024)},
            {new Dim3(2, 1, 3), new Dim3(1, 1, 64)},
        };
        for (Dim3[] s : shapes) {
            Dim3 grid = s[0], block = s[1];
            int threads = (int) block.count(), total = (int) (grid.count() * threads);
            int[] out = runInts("emu_geometry", grid, block, 0, 12 * total);
            for (int bz = 0; bz < grid.z(); bz++)
                for (int by = 0; by < grid.y(); by++)
                    for (int bx = 0; bx < grid.x(); bx++)
                        for (int tz = 0; tz < block.z(); tz++)
                            for (int ty = 0; ty < block.y(); ty++)
                                for (int tx = 0; tx < block.x(); tx++) {
                                    int blockRank = bx + grid.x() * (by + grid.y() * bz);
                                    int rank =
                                            blockRank * threads
                                                    + tx
                                                    + block.x() * (ty + block.y() * tz);
                                    int[] want = {
                                        tx, ty, tz, bx, by, bz, block.x(), block.y(), block.z(),
                                        grid.x(), grid.y(), grid.z()
                                    };
                                    for (int f = 0; f < 12; f++)
                                        assertEquals(
                                                want[f],
                                                out[12 * rank + f],
                                                "grid " + grid + " block " + block + " rank " + rank
                                                        + " field " + f);
                                }
        }
    }
}
