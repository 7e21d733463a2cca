package io.streambert.engine;

import java.util.List;

/**
 * The checks every encoder makes on a batch before packing it (no padding: the sequences laid end to end), and
 * the cu_seqlens that describe the packing. One place, so the CPU and device encoders reject the same inputs with
 * the same messages.
 */
public final class PackedBatch {
    private PackedBatch() {}

    /**
     * cu_seqlens [batch + 1] of {@code sequences}, after rejecting empty, too long or out-of-vocabulary sequences
     * and batches whose widest activation [tokens, widestRow] would not fit an int-indexed array.
     *
     * @throws InputRejectedException naming the sequence (and token position) at fault
     */
    public static int[] cuSeqlens(List<int[]> sequences, int maxTokens, int vocabSize, long widestRow) {
        int[] cu = new int[sequences.size() + 1];
        for (int s = 0; s < sequences.size(); s++) {
            int[] ids = sequences.get(s);
            if (ids == null || ids.length == 0) throw new InputRejectedException("sequence " + s + " is empty");
            if (ids.length > maxTokens) {
                throw new InputRejectedException("sequence " + s + " has " + ids.length + " tokens, more than the limit of " + maxTokens);
            }
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] < 0 || ids[i] >= vocabSize) {
                    throw new InputRejectedException("sequence " + s + ": token id " + ids[i] + " at position " + i
                            + " is outside the vocabulary (0.." + (vocabSize - 1) + ")");
                }
            }
            cu[s + 1] = Math.addExact(cu[s], ids.length);
        }
        // Activations are Java arrays on the CPU and element counts are kernel int arguments on a device.
        if (cu[sequences.size()] * widestRow > Integer.MAX_VALUE - 8) {
            throw new InputRejectedException("batch of " + cu[sequences.size()] + " tokens is too large for one pass (at most "
                    + (Integer.MAX_VALUE - 8) / widestRow + "); split it");
        }
        return cu;
    }
}
