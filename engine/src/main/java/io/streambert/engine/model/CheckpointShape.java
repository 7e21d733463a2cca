package io.streambert.engine.model;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a checkpoint's tensor headers say about the model's size, read before anything is allocated
 * so that {@code config.json} values can be checked against it: a {@code num_hidden_layers} of a
 * billion must be an error naming both files, not an OutOfMemoryError while per-layer structures
 * are built.
 *
 * @param source the checkpoint file (or shard index), for messages
 * @param layers number of encoder layers ({@code layers.0.} .. {@code layers.N-1.}); indices must
 *     be 0..N-1
 * @param vocabRows rows of {@code embeddings.tok_embeddings.weight}, or -1 when it is missing or
 *     not 2-D
 * @param hiddenColumns columns of {@code embeddings.tok_embeddings.weight}, or -1
 * @param intermediate rows of {@code layers.0.mlp.Wi.weight} / 2 (GeGLU's two halves), or -1
 * @param lastLayer where a tensor of the last layer is stored ("file: tensor 'name'"), or null
 *     without layers
 */
public record CheckpointShape(
        Path source,
        int layers,
        long vocabRows,
        long hiddenColumns,
        long intermediate,
        String lastLayer) {
    private static final Pattern LAYER = Pattern.compile("^layers\\.(\\d{1,9})\\..*");

    public static CheckpointShape of(Checkpoint ck) {
        BitSet seen = new BitSet();
        String last = null;
        int lastIndex = -1;
        for (String name : ck.names()) {
            Matcher m = LAYER.matcher(name);
            if (m.matches()) {
                int i = Integer.parseInt(m.group(1));
                seen.set(i);
                if (i > lastIndex) {
                    lastIndex = i;
                    last = name;
                }
            }
        }
        int count = seen.cardinality();
        if (count > 0 && seen.length() != count) {
            int gap = seen.nextClearBit(0);
            throw new ModelLoadException(
                    ck.source()
                            + ": encoder layers are not numbered 0.."
                            + (count - 1)
                            + " without gaps: layer "
                            + gap
                            + " has no tensor, but layer "
                            + (seen.length() - 1)
                            + " has");
        }
        long vocab = -1, hidden = -1, inter = -1;
        if (ck.has("embeddings.tok_embeddings.weight")) {
            long[] s = ck.info("embeddings.tok_embeddings.weight").shape();
            if (s.length == 2) {
                vocab = s[0];
                hidden = s[1];
            }
        }
        if (ck.has("layers.0.mlp.Wi.weight")) {
            long[] s = ck.info("layers.0.mlp.Wi.weight").shape();
            if (s.length == 2 && s[0] % 2 == 0) inter = s[0] / 2;
        }
        return new CheckpointShape(
                ck.source(), count, vocab, hidden, inter, last == null ? null : ck.where(last));
    }
}
