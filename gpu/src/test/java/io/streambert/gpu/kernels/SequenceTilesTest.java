package io.streambert.gpu.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.gpu.device.Dim3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tiling data types: the attention tile table, the launch shapes and the validation messages.
 */
@ParameterizedClass(name = "on {0}")
@MethodSource("io.streambert.gpu.device.TestDevices#names")
class SequenceTilesTest {
    /** The device of this run of the class: one of TestDevices.names(). */
    @Parameter String device;

    private final AttentionTiling hd64 = AttentionTiling.forHeadDim(64);

    @Test
    void tileTableListsEveryQueryTileOnceLongestSequenceFirst() {
        SequenceTiles seqs = SequenceTiles.ofLengths(65, 0, 130, 1);
        assertEquals(196, seqs.tokens());
        assertEquals(130, seqs.maxSeqlen());
        assertEquals(2 + 3 + 1, seqs.queryTiles(hd64));
        // sequence 2 (130: tiles at 0, 64, 128), then 0 (65: 0, 64), then 3 (1: 0); the empty
        // sequence 1 has none
        assertArrayEquals(
                new int[] {2, 0, 2, 64, 2, 128, 0, 0, 0, 64, 3, 0}, seqs.queryTileTable(hd64));
        assertEquals(new Dim3(6, 12, 1), hd64.grid(seqs, 12));
    }

    @Test
    void attentionTilingShapes() {
        assertEquals(Dim3.of(128), hd64.block());
        assertEquals((64 * 72 + 64 * 72) * 2, hd64.sharedBytes());
        assertEquals((64 * 136 + 128 * 72) * 2, AttentionTiling.forHeadDim(128).sharedBytes());
        assertTrue(
                AttentionTiling.forHeadDim(128).sharedBytes() <= 48 * 1024,
                "no dynamic-smem opt-in needed");
        assertEquals("sb_attention_hd32", AttentionTiling.forHeadDim(32).kernelName());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> AttentionTiling.forHeadDim(80));
        assertTrue(e.getMessage().contains("80"), e.getMessage());
    }

    @Test
    void malformedCuSeqlensAreRejectedWithTheReason() {
        IllegalArgumentException start =
                assertThrows(
                        IllegalArgumentException.class, () -> SequenceTiles.of(new int[] {1, 5}));
        assertTrue(start.getMessage().contains("start with 0"), start.getMessage());
        IllegalArgumentException down =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> SequenceTiles.of(new int[] {0, 5, 3}));
        assertTrue(down.getMessage().contains("entry 2 is 3 after 5"), down.getMessage());
    }

    @Test
    void launchShapesCoverTheirWork() {
        assertEquals(Dim3.of(17), new WarpPerRow(4).grid(65));
        assertEquals(Dim3.of(1), new WarpPerRow(4).grid(0));
        assertEquals(Dim3.of(256), new WarpPerRow(8).block());
        assertEquals(Dim3.of(4), new GridStride(256, 4).grid(1_000_000));
        assertEquals(Dim3.of(4), new GridStride(256, 4096).grid(1000));
        assertThrows(IllegalArgumentException.class, () -> new GridStride(48, 1));
        assertThrows(IllegalArgumentException.class, () -> new WarpPerRow(0));
        assertThrows(IllegalArgumentException.class, () -> new RopeLaunch(100, 1));
    }

    @Test
    void attentionRefusesATooSmallTileTable() {
        try (Dev dev = new Dev(device)) {
            SequenceTiles seqs = SequenceTiles.ofLengths(65, 3);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    AttentionLaunch.run(
                                            dev.device,
                                            hd64,
                                            seqs,
                                            dev.alloc(2L * 68 * 3 * 64),
                                            dev.alloc(2L * 68 * 64),
                                            dev.i32(seqs.cuSeqlens()),
                                            dev.i32(new int[] {0, 0}),
                                            1,
                                            -1,
                                            null));
            assertTrue(
                    e.getMessage().contains("needs 3 (sequence, query) int pairs"), e.getMessage());
        }
    }

    @Test
    void ropeRefusesSequencesLongerThanItsTable() {
        try (Dev dev = new Dev(device)) {
            SequenceTiles seqs = SequenceTiles.ofLengths(3, 20);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    RopeLaunch.DEFAULT.run(
                                            dev.device,
                                            seqs,
                                            dev.alloc(2L * 23 * 3 * 64),
                                            dev.i32(seqs.cuSeqlens()),
                                            1,
                                            64,
                                            dev.alloc(4L * 16 * 32),
                                            dev.alloc(4L * 16 * 32),
                                            16));
            assertTrue(
                    e.getMessage().contains("20 tokens exceeds the RoPE table's 16 positions"),
                    e.getMessage());
        }
    }
}
