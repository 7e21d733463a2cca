package io.streambert.gpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.gpu.device.DeviceBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * sb_attention_hd{32,64,128} on the emulated device against AttentionReference: output within 2x
 * the naive bf16 error of the float64 truth, and the kernel's visited-K-tile counter equal to the
 * twin's count of (query tile, K tile) pairs that meet the window (so local layers skip every other
 * tile, and visit all that matter).
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("io.streambert.gpu.device.TestDevices#names")
class AttentionKernelTest {
    /** The device of this run of the class: one of TestDevices.names(). */
    @Parameter String device;

    static final int[] LENGTHS = {1, 2, 63, 64, 65, 127, 128, 129, 300, 1000};
    static final int[] WINDOWS = {
        -1, 8, 64
    }; // global; local_attention 16 and 128 (|i-j| <= 8, <= 64)

    /** Output of one launch and its visited-tile count. */
    record Outcome(String report, int visited) {}

    Outcome check(int headDim, int heads, int window, int... lengths) {
        return checkSampled(1, headDim, heads, window, lengths);
    }

    /**
     * queryStride > 1: the truth only for a sample of query rows (AttentionReference.sampled), the
     * rest not compared.
     */
    Outcome checkSampled(int queryStride, int headDim, int heads, int window, int... lengths) {
        AttentionTiling tiling = AttentionTiling.forHeadDim(headDim);
        SequenceTiles seqs = SequenceTiles.ofLengths(lengths);
        int tokens = seqs.tokens(), hidden = heads * headDim;
        Random rnd = new Random(31L * headDim + 7L * window + Arrays.hashCode(lengths));
        float[] qkv = TestData.bf16Gaussian(rnd, tokens * 3 * hidden, 1.0);
        float scale = (float) (1 / Math.sqrt(headDim));
        try (Dev dev = new Dev(device)) {
            DeviceBuffer out =
                    dev.bf16Output(tokens * hidden); // unwritten elements keep a sentinel -> fail
            DeviceBuffer visited = dev.i32(new int[1]);
            long t0 = System.nanoTime();
            AttentionLaunch.run(
                    dev.device,
                    tiling,
                    seqs,
                    dev.bf16(qkv),
                    out,
                    dev.i32(seqs.cuSeqlens()),
                    dev.i32(seqs.queryTileTable(tiling)),
                    heads,
                    window,
                    visited);
            dev.device.synchronize();
            long t1 = System.nanoTime();
            float[] kernel = dev.readBf16Output(out, tokens * hidden, "attention");
            int kernelVisited = dev.readI32(visited, 1)[0];

            float[] exact = new float[tokens * hidden], naive = new float[tokens * hidden];
            int[] twinVisited = new int[1];
            AttentionReference.attention(
                    qkv,
                    exact,
                    seqs.cuSeqlens(),
                    heads,
                    headDim,
                    window,
                    scale,
                    twinVisited,
                    tiling,
                    Rounding.EXACT,
                    queryStride);
            AttentionReference.attention(
                    qkv,
                    naive,
                    seqs.cuSeqlens(),
                    heads,
                    headDim,
                    window,
                    scale,
                    null,
                    tiling,
                    Rounding.NAIVE_BF16,
                    queryStride);
            for (int s = 0; s < seqs.batch(); s++) { // rows outside the sample: not compared
                for (int i = 0; i < seqs.length(s); i++) {
                    if (AttentionReference.sampled(i, seqs.length(s), queryStride)) continue;
                    java.util.Arrays.fill(
                            kernel,
                            (seqs.start(s) + i) * hidden,
                            (seqs.start(s) + i + 1) * hidden,
                            0f);
                }
            }
            String what =
                    (queryStride > 1 ? "(rows sampled 1/" + queryStride + ") " : "")
                            + "attention hd"
                            + headDim
                            + " heads "
                            + heads
                            + " window "
                            + window
                            + " lengths "
                            + (lengths.length > 12
                                    ? lengths.length + " seqs"
                                    : Arrays.toString(lengths));
            long t2 = System.nanoTime();
            String report = Tolerance.assertWithinNaive(what, kernel, exact, naive);
            System.out.printf(
                    "%s; visited %d; emulator %.2fs, twins %.2fs%n",
                    report, kernelVisited, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
            assertEquals(twinVisited[0], kernelVisited, what + ": visited K tiles");
            return new Outcome(report, kernelVisited);
        }
    }

    static Stream<Arguments> singleLengths() {
        List<Arguments> a = new ArrayList<>();
        for (int len : LENGTHS) for (int w : WINDOWS) a.add(Arguments.of(len, w));
        return a.stream();
    }

    @ParameterizedTest(name = "hd64 length {0} window {1}")
    @MethodSource("singleLengths")
    void eachLengthAloneHeadDim64(int length, int window) {
        check(64, 2, window, length);
    }

    @Test
    void mixedBatchInOneLaunchHeadDim64() {
        int[] shuffled = {1000, 1, 129, 64, 2, 300, 65, 63, 127, 128};
        for (int w : WINDOWS) check(64, 2, w, shuffled);
    }

    @Test
    void mixedBatchInOneLaunchHeadDim32() {
        for (int w : WINDOWS) check(32, 2, w, LENGTHS);
    }

    @Test
    void emptySequenceInTheBatchHasNoTileAndDisturbsNothing() {
        check(64, 2, -1, 5, 0, 70);
        check(64, 2, 8, 0, 130, 0);
    }

    @Test
    void windowEdgeCases() {
        check(64, 1, 0, 100, 3); // w = 0: each query sees only itself -> out = v
        check(64, 1, 1000, 300, 129); // a window wider than every sequence: the global result
        assertEquals(
                check(64, 1, 1000, 300).visited(),
                check(64, 1, -1, 300).visited(),
                "wide window visits what global does");
    }

    @Test
    void headDim128() {
        for (int w : WINDOWS) check(128, 1, w, 1, 65, 300, 129);
    }

    @Test
    void length8192GlobalOncePerHeadDim() {
        // Every query row still attends over all 8192 keys; the float64 truth is computed for 1 row
        // in 8 (+ the
        // first and last 64), which keeps the twins' O(n^2) cost near the emulator's.
        checkSampled(8, 64, 1, -1, 8192);
        checkSampled(8, 32, 1, -1, 8192, 1, 65);
    }

    @Test
    void length8192LocalWindows() {
        check(64, 2, 8, 8192, 63);
        check(64, 1, 64, 1, 8192);
    }

    @Test
    void visitedTilesGrowLinearlyOnLocalLayersAndQuadraticallyOnGlobal() {
        // Kernel counts only (the outputs of these lengths are covered above): local doubling n
        // doubles the work.
        int[] ns = {1024, 2048, 4096};
        for (int w : new int[] {8, 64}) {
            int[] counts = new int[ns.length];
            for (int i = 0; i < ns.length; i++) counts[i] = visitedOnly(32, w, ns[i]);
            System.out.println(
                    "visited K tiles, window "
                            + w
                            + ", n "
                            + Arrays.toString(ns)
                            + ": "
                            + Arrays.toString(counts));
            for (int i = 1; i < ns.length; i++) {
                double ratio = (double) counts[i] / counts[i - 1];
                assertTrue(
                        ratio > 1.9 && ratio < 2.1,
                        "window "
                                + w
                                + ": visited "
                                + Arrays.toString(counts)
                                + " for n "
                                + Arrays.toString(ns));
            }
            // O(n*w): at most (query tiles) x (tiles a 64 + 2w key span can touch)
            int bound = (4096 / 64) * ((64 + 2 * w + 63) / 64 + 1);
            assertTrue(
                    counts[2] <= bound, "window " + w + ": " + counts[2] + " visited > " + bound);
        }
        int g1 = visitedOnly(32, -1, 256), g2 = visitedOnly(32, -1, 512);
        System.out.println("visited K tiles, global, n [256, 512]: [" + g1 + ", " + g2 + "]");
        assertEquals(16, g1, "global 256: 4 x 4 tiles");
        assertEquals(64, g2, "global 512: 8 x 8 tiles");
    }

    private int visitedOnly(int headDim, int window, int length) {
        AttentionTiling tiling = AttentionTiling.forHeadDim(headDim);
        SequenceTiles seqs = SequenceTiles.ofLengths(length);
        try (Dev dev = new Dev(device)) {
            DeviceBuffer qkv = dev.bf16(new float[length * 3 * headDim]);
            DeviceBuffer visited = dev.i32(new int[1]);
            AttentionLaunch.run(
                    dev.device,
                    tiling,
                    seqs,
                    qkv,
                    dev.alloc(2L * length * headDim),
                    dev.i32(seqs.cuSeqlens()),
                    dev.i32(seqs.queryTileTable(tiling)),
                    1,
                    window,
                    visited);
            dev.device.synchronize();
            int count = dev.readI32(visited, 1)[0];
            assertEquals(
                    AttentionReference.tilePairsInWindow(length, window, tiling),
                    count,
                    "visited, n " + length + " w " + window);
            return count;
        }
    }

    @Test
    void goldenVectorsAllThreeLayerKinds() {
        // The kernel against the independent float64 reference (not the twin): 8 sequences of
        // 1..300 in one launch.
        Golden g = Golden.kernels();
        int[] cu = g.i32("cu_seqlens");
        float[] qkv = g.f32("qkv");
        AttentionTiling tiling = AttentionTiling.forHeadDim(64);
        String[] names = {"attn_global", "attn_window16", "attn_window128"};
        int[] windows = {-1, 8, 64};
        for (int c = 0; c < names.length; c++) {
            try (Dev dev = new Dev(device)) {
                DeviceBuffer out = dev.alloc(2L * 630 * 128);
                SequenceTiles seqs = SequenceTiles.of(cu);
                AttentionLaunch.run(
                        dev.device,
                        tiling,
                        seqs,
                        dev.bf16(qkv),
                        out,
                        dev.i32(cu),
                        dev.i32(seqs.queryTileTable(tiling)),
                        2,
                        windows[c],
                        null);
                dev.device.synchronize();
                float[] naive = new float[630 * 128];
                AttentionReference.attention(
                        qkv,
                        naive,
                        cu,
                        2,
                        64,
                        windows[c],
                        0.125f,
                        null,
                        tiling,
                        Rounding.NAIVE_BF16);
                Tolerance.assertWithinNaive(
                        names[c], dev.readBf16(out, 630 * 128), g.f32(names[c]), naive);
            }
        }
    }

    @Test
    void nullVisitedCounterIsAccepted() {
        AttentionTiling tiling = AttentionTiling.forHeadDim(64);
        SequenceTiles seqs = SequenceTiles.ofLengths(3, 70);
        Random rnd = new Random(5);
        float[] qkv = TestData.bf16Gaussian(rnd, seqs.tokens() * 3 * 64, 1.0);
        try (Dev dev = new Dev(device)) {
            DeviceBuffer out = dev.alloc(2L * seqs.tokens() * 64);
            AttentionLaunch.run(
                    dev.device,
                    tiling,
                    seqs,
                    dev.bf16(qkv),
                    out,
                    dev.i32(seqs.cuSeqlens()),
                    dev.i32(seqs.queryTileTable(tiling)),
                    1,
                    8,
                    null);
            dev.device.synchronize();
            float[] exact = new float[seqs.tokens() * 64];
            AttentionReference.attention(
                    qkv, exact, seqs.cuSeqlens(), 1, 64, 8, 0.125f, null, tiling, Rounding.EXACT);
            double err = Tolerance.maxAbsError(dev.readBf16(out, exact.length), exact);
            assertTrue(err < 0.02, "attention without counter: error " + err);
        }
    }
}
