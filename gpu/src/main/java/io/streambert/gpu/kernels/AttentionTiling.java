package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Dim3;
import io.streambert.gpu.device.KernelArgs;

/**
 * The tile shape of sb_attention.cu (its constants WARPS, BLOCK_Q, BLOCK_K, KPAD): a block of
 * {@code warps} warps owns {@code blockQ} = 16 * warps queries of one sequence and head; keys and
 * values stream through shared memory in tiles of {@code blockK} rows. The launcher, the
 * reference's tile counting and the tests all read these numbers.
 */
public record AttentionTiling(int blockQ, int blockK, int warps, int headDim, int sharedPad) {

    /**
     * The constants sb_attention.cu is compiled with, by their CUDA names; {@code
     * TileConstantsTest} reads the .cu file and fails the build when the two disagree.
     */
    public static final int WARPS = 4, BLOCK_Q = 16 * WARPS, BLOCK_K = 64, KPAD = 8;

    /** The only tile shape the kernels are compiled for; head dims 32, 64 (ModernBERT) and 128. */
    public static AttentionTiling forHeadDim(int headDim) {
        KernelArgs.require(
                headDim == 32 || headDim == 64 || headDim == 128,
                "attention kernels exist for head dim 32, 64, 128; got " + headDim);
        return new AttentionTiling(BLOCK_Q, BLOCK_K, WARPS, headDim, KPAD);
    }

    /** The kernel's extern "C" name: one instantiation per head dim. */
    public String kernelName() {
        return "sb_attention_hd" + headDim;
    }

    public Dim3 block() {
        return Dim3.of(32 * warps);
    }

    /** (entries of the tile table, SequenceTiles.queryTileTable) x heads. */
    public Dim3 grid(SequenceTiles seqs, int heads) {
        return Dim3.of(Math.max(1, seqs.queryTiles(this)), heads);
    }

    public int queryTiles(int length) {
        return (length + blockQ - 1) / blockQ;
    }

    public int keyTiles(int length) {
        return (length + blockK - 1) / blockK;
    }

    /**
     * Dynamic shared memory: K tile [blockK][headDim + pad] and V^T tile [headDim][blockK + pad],
     * bf16.
     */
    public int sharedBytes() {
        return (blockK * (headDim + sharedPad) + headDim * (blockK + sharedPad)) * 2;
    }
}
