package io.streambert.gpu.kernels;

import io.streambert.gpu.device.KernelArgs;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * A packed batch as the kernels see it: cu_seqlens [batch + 1] (cumulative starts, first 0) and
 * what the launchers derive from it (token count, longest sequence). Validated once here so no
 * kernel sees a malformed table.
 */
public record SequenceTiles(int[] cuSeqlens, int batch, int tokens, int maxSeqlen) {

    public static SequenceTiles of(int[] cuSeqlens) {
        KernelArgs.require(
                cuSeqlens.length >= 1 && cuSeqlens[0] == 0,
                "cu_seqlens must start with 0, was "
                        + Arrays.toString(Arrays.copyOf(cuSeqlens, Math.min(4, cuSeqlens.length))));
        int max = 0;
        for (int s = 0; s + 1 < cuSeqlens.length; s++) {
            int len = cuSeqlens[s + 1] - cuSeqlens[s];
            KernelArgs.require(
                    len >= 0,
                    "cu_seqlens must not decrease: entry "
                            + (s + 1)
                            + " is "
                            + cuSeqlens[s + 1]
                            + " after "
                            + cuSeqlens[s]);
            max = Math.max(max, len);
        }
        return new SequenceTiles(
                cuSeqlens.clone(), cuSeqlens.length - 1, cuSeqlens[cuSeqlens.length - 1], max);
    }

    /** cu_seqlens of sequences with the given lengths, in order. */
    public static SequenceTiles ofLengths(int... lengths) {
        int[] cu = new int[lengths.length + 1];
        for (int i = 0; i < lengths.length; i++) cu[i + 1] = cu[i] + lengths[i];
        return of(cu);
    }

    /**
     * The attention kernel's tile table: (sequence, first query) of every query tile of {@code
     * tiling}, as int pairs [numTiles, 2]. Longest sequences first: on a global layer a tile of an
     * n-token sequence streams n keys, so the heaviest blocks start first and short ones fill the
     * tail (a scheduling choice; its effect is unmeasured without a GPU). Empty sequences have no
     * tile.
     */
    public int[] queryTileTable(AttentionTiling tiling) {
        int[] order =
                IntStream.range(0, batch)
                        .boxed()
                        .sorted(
                                Comparator.comparingInt((Integer s) -> -length(s))
                                        .thenComparingInt(s -> s))
                        .mapToInt(Integer::intValue)
                        .toArray();
        int[] table = new int[2 * queryTiles(tiling)];
        int k = 0;
        for (int s : order) {
            for (int q0 = 0; q0 < length(s); q0 += tiling.blockQ()) {
                table[k++] = s;
                table[k++] = q0;
            }
        }
        return table;
    }

    /** Query tiles over all sequences: sum of ceil(length / blockQ). */
    public int queryTiles(AttentionTiling tiling) {
        int n = 0;
        for (int s = 0; s < batch; s++) n += tiling.queryTiles(length(s));
        return n;
    }

    public int length(int seq) {
        return cuSeqlens[seq + 1] - cuSeqlens[seq];
    }

    public int start(int seq) {
        return cuSeqlens[seq];
    }
}
