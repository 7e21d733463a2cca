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
 *
 * <p>With a {@link Rope} the kernel applies rotate-half RoPE to q and k as it loads them (what
 * sb_rope would have done to qkv first, with the same fp32 math and one bf16 rounding; qkv itself
 * is not changed); without one, q and k are used as they are.
 */
public final class AttentionLaunch {
    private AttentionLaunch() {}

    /**
     * A RoPE angle table as sb_rope takes it: cos and sin, each [positions, headDim / 2] fp32
     * ({@link RopeLaunch#table}); which theta is decided by which table is passed.
     */
    public record Rope(DeviceBuffer cos, DeviceBuffer sin, int positions) {}

    /** Without RoPE: q and k are used as stored. */
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
        run(device, tiling, seqs, qkv, out, cuSeqlens, tiles, heads, window, null, visited);
    }

    /** rope null: none. */
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
            Rope rope,
            DeviceBuffer visited) {
        KernelArgs.require(heads >= 1, "heads must be >= 1, was " + heads);
        if (rope != null) {
            int half = tiling.headDim() / 2;
            KernelArgs.require(
                    seqs.maxSeqlen() <= rope.positions(),
                    "a sequence of "
                            + seqs.maxSeqlen()
                            + " tokens exceeds the RoPE table's "
                            + rope.positions()
                            + " positions");
            KernelArgs.require(
                    rope.cos().bytes() >= 4L * rope.positions() * half
                            && rope.sin().bytes() >= 4L * rope.positions() * half,
                    "the RoPE table buffers hold fewer than "
                            + rope.positions()
                            + " x "
                            + half
                            + " floats");
        }
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
        Object[] cos = KernelArgs.optional(rope == null ? null : rope.cos(), cuSeqlens);
        Object sin = rope == null ? cuSeqlens : rope.sin();
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
                cos[0],
                sin,
                cos[1],
                counter[0],
                counter[1]);
    }
}
