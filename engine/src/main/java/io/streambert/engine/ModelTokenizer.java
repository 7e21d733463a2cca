package io.streambert.engine;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.streambert.engine.EncoderOptions.Truncation;
import io.streambert.engine.model.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The model's own {@code tokenizer.json} run by the Hugging Face tokenizers library (through DJL's
 * JNI binding, whose native library ships inside the DJL jar). Offline only: the tokenizer is built
 * from the local file and DJL is put in offline mode, so nothing is fetched from the network.
 *
 * <p>Truncation is done here rather than in the library so that both policies see the untruncated
 * length: TRUNCATE keeps the first limit-1 ids and the final [SEP]; REJECT throws {@link
 * InputRejectedException}.
 */
public final class ModelTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final int limit;
    private final Truncation policy;
    private final int sepId;
    private final Path file;
    private final int vocabSize;
    private final String model;

    private ModelTokenizer(
            HuggingFaceTokenizer tokenizer,
            int limit,
            Truncation policy,
            int sepId,
            Path file,
            int vocabSize,
            String model) {
        this.tokenizer = tokenizer;
        this.limit = limit;
        this.policy = policy;
        this.sepId = sepId;
        this.file = file;
        this.vocabSize = vocabSize;
        this.model = model;
    }

    /**
     * Loads the tokenizer of the model in {@code dir}.
     *
     * @param limit tokens per sequence, [CLS] and [SEP] included (min of max_position_embeddings
     *     and configured max tokens)
     * @param sepId the id that ends every sequence (config's sep_token_id), kept when truncating
     */
    public static ModelTokenizer load(Path dir, int limit, Truncation policy, int sepId) {
        return load(dir, limit, policy, sepId, Integer.MAX_VALUE, dir.toString());
    }

    /**
     * As {@link #load(Path, int, Truncation, int)}, for the model {@code model} with {@code
     * vocabSize} embedding rows: a text whose ids reach beyond them fails with {@link
     * TokenizerMismatchException} naming tokenizer.json and the model.
     */
    public static ModelTokenizer load(
            Path dir, int limit, Truncation policy, int sepId, int vocabSize, String model) {
        Path file = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file))
            throw new ModelLoadException(
                    file + ": missing (the model directory needs the Hugging Face tokenizer.json)");
        if (limit < 2)
            throw new IllegalArgumentException(
                    "token limit " + limit + " leaves no room for [CLS] and [SEP]");
        // DJL consults these before any download: offline mode, and the CPU flavour of the native
        // library, which is
        // the one inside the jar (on a CUDA machine DJL would otherwise look for a CUDA build it
        // would have to fetch).
        // The tokenizer itself is built from the local file only.
        if (System.getProperty("ai.djl.offline") == null)
            System.setProperty("ai.djl.offline", "true");
        if (System.getProperty("RUST_FLAVOR") == null) System.setProperty("RUST_FLAVOR", "cpu");
        try {
            HuggingFaceTokenizer t =
                    HuggingFaceTokenizer.builder()
                            .optTokenizerPath(file)
                            .optAddSpecialTokens(true)
                            .optTruncation(false)
                            .optPadding(false)
                            .build();
            return new ModelTokenizer(
                    t,
                    limit,
                    policy == null ? Truncation.TRUNCATE : policy,
                    sepId,
                    file,
                    vocabSize,
                    model);
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            throw new ModelLoadException(file + ": cannot load tokenizer: " + e.getMessage(), e);
        }
    }

    public int limit() {
        return limit;
    }

    /** Ids of {@code text} with [CLS] and [SEP], at most {@link #limit()} of them (or rejected). */
    public int[] encode(String text) {
        if (text == null) throw new InputRejectedException("text is null");
        Encoding enc = tokenizer.encode(text);
        long[] ids = enc.getIds();
        if (ids.length > limit) {
            if (policy == Truncation.REJECT) {
                throw new InputRejectedException(
                        "text has "
                                + ids.length
                                + " tokens, more than the limit of "
                                + limit
                                + " (truncation policy: reject)");
            }
            long last = ids[ids.length - 1];
            long[] cut = Arrays.copyOf(ids, limit);
            if (last == sepId)
                cut[limit - 1] =
                        last; // keep [CLS] ... [SEP]: the model was trained on closed sequences
            ids = cut;
        }
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) {
                throw new TokenizerMismatchException(
                        file
                                + " gives token id "
                                + ids[i]
                                + " (at position "
                                + i
                                + " of this text), outside the "
                                + "vocabulary of model '"
                                + model
                                + "' (vocab_size "
                                + vocabSize
                                + " in "
                                + file.resolveSibling("config.json")
                                + "): the tokenizer does not belong to this model");
            }
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
