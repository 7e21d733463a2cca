package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.KernelArgs;

/**
 * Launches sb_attention_hd{32,64,128}: varlen flash attention over packed sequences. Buffers: qkv
 * [tokens, 3, heads, headDim] bf16, out [tokens, heads * headDim] bf16, cuSeqlens [batch + 1]
 * int32, tiles: {@code seqs.queryTileTable(tiling)} uploaded as int32 (once per batch; every layer
 * reuses it), visited: nullable int32 counter (+1 per visited (block, K tile)); window < 0 =
 * global, else |i - j| <= window. qkv must start 16-byte aligned (K/V tiles are loaded 8 bf16 at a
 * time), out 4-byte aligned: a fresh allocation is; a slice must keep that.
 */
public final class AttentionLaunch {
    private AttentionLaunch() {}

    public static void run(
            Device device,
            AttentionTiling tiling,
            SequenceTiles seqs,
            DeviceBuffer qkv,
            DeviceBuffer out,
            DeviceBuffer cuSeqlens,
            DeviceBuffer tiles,
            int heads,
            int window,
            DeviceBuffer visited) {
        KernelArgs.require(heads >= 1, "heads must be >= 1, was " + heads);
        if (seqs.queryTiles(tiling) == 0) return; // nothing to attend; a 0-sized grid is illegal
        KernelArgs.require(
                tiles.bytes() >= 8L * seqs.queryTiles(tiling),
                "the tile table buffer holds "
                        + tiles.bytes()
                        + " bytes, the batch needs "
                        + seqs.queryTiles(tiling)
                        + " (sequence, query) int pairs");
        float scale = (float) (1.0 / Math.sqrt(tiling.headDim()));
        Object[] counter = KernelArgs.optional(visited, cuSeqlens);
        device.launch(
                tiling.kernelName(),
                tiling.grid(seqs, heads),
                tiling.block(),
                tiling.sharedBytes(),
                qkv,
                out,
                cuSeqlens,
                tiles,
                heads,
                window,
                scale,
                counter[0],
                counter[1]);
    }
}
