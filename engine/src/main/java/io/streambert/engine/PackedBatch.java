package io.streambert.engine;

import java.util.List;

/**
 * A batch with no padding: the token ids of every sequence laid end to end, and cu_seqlens [batch +
 * 1] (sequence s is ids[cuSeqlens[s] .. cuSeqlens[s+1])). {@link #pack} makes the checks every
 * backend relies on, in one place, so all backends reject the same inputs with the same messages.
 *
 * @param ids int32 [tokens]
 * @param cuSeqlens int32 [batch + 1], cuSeqlens[0] = 0, non-decreasing
 */
public record PackedBatch(int[] ids, int[] cuSeqlens) {

    /** Number of sequences. */
    public int size() {
        return cuSeqlens.length - 1;
    }

    /** Number of tokens of all sequences together. */
    public int tokens() {
        return cuSeqlens[cuSeqlens.length - 1];
    }

    public int start(int s) {
        return cuSeqlens[s];
    }

    public int length(int s) {
        return cuSeqlens[s + 1] - cuSeqlens[s];
    }

    /**
     * Checks {@code sequences} ({@link #cuSeqlens(List, int, int, long)}) and lays them end to end.
     *
     * @throws InputRejectedException naming the sequence (and token position) at fault
     */
    public static PackedBatch pack(
            List<int[]> sequences, int maxTokens, int vocabSize, long widestRow) {
        int[] cu = cuSeqlens(sequences, maxTokens, vocabSize, widestRow);
        int[] ids = new int[cu[cu.length - 1]];
        for (int s = 0; s < sequences.size(); s++)
            System.arraycopy(sequences.get(s), 0, ids, cu[s], cu[s + 1] - cu[s]);
        return new PackedBatch(ids, cu);
    }

    /**
     * cu_seqlens [batch + 1] of {@code sequences}, after rejecting empty, too long or
     * out-of-vocabulary sequences and batches whose widest activation [tokens, widestRow] would not
     * fit an int-indexed array.
     *
     * @throws InputRejectedException naming the sequence (and token position) at fault
     */
    public static int[] cuSeqlens(
            List<int[]> sequences, int maxTokens, int vocabSize, long widestRow) {
        int[] cu = new int[sequences.size() + 1];
        for (int s = 0; s < sequences.size(); s++) {
            int[] ids = sequences.get(s);
            if (ids == null || ids.length == 0)
                throw new InputRejectedException("sequence " + s + " is empty");
            if (ids.length > maxTokens) {
                throw new InputRejectedException(
                        "sequence "
                                + s
                                + " has "
                                + ids.length
                                + " tokens, more than the limit of "
                                + maxTokens);
            }
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] < 0 || ids[i] >= vocabSize) {
                    throw new InputRejectedException(
                            "sequence "
                                    + s
                                    + ": token id "
                                    + ids[i]
                                    + " at position "
                                    + i
                                    + " is outside the vocabulary (0.."
                                    + (vocabSize - 1)
                                    + ")");
                }
            }
            cu[s + 1] = Math.addExact(cu[s], ids.length);
        }
        // Activations are Java arrays on the CPU and element counts are kernel int arguments on a
        // device.
        if (cu[sequences.size()] * widestRow > Integer.MAX_VALUE - 8) {
            throw new InputRejectedException(
                    "batch of "
                            + cu[sequences.size()]
                            + " tokens is too large for one pass (at most "
                            + (Integer.MAX_VALUE - 8) / widestRow
                            + "); split it");
        }
        return cu;
    }
}
