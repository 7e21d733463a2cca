package io.streambert.engine;

import io.streambert.engine.heads.EmbeddingHead;
import io.streambert.engine.heads.Scores;
import io.streambert.engine.model.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine core, the one {@link Encoder} every backend runs under: it tokenizes, validates and
 * packs a batch ({@link PackedBatch}), calls the {@link Backend}'s forward pass, and assembles the
 * {@link Prediction}s (scores and labels from the logits, embeddings pooled from the hidden states
 * unless the backend made them).
 */
public final class Engine implements Encoder {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final ModelTokenizer tokenizer;
    private final Backend backend;
    private final EmbeddingHead embedder;
    private final ModelInfo info;
    private final int vocabSize, hidden;
    private final long widestRow;

    private Engine(ModelDirectory m, ModelTokenizer tokenizer, Backend backend) {
        ModelConfig cfg = m.cfg();
        this.tokenizer = tokenizer;
        this.backend = backend;
        this.hidden = cfg.hiddenSize();
        this.vocabSize = cfg.vocabSize();
        this.widestRow = Math.max(3L * cfg.hiddenSize(), 2L * cfg.intermediateSize());
        this.embedder = new EmbeddingHead(m.embeddingPooling(), hidden, m.embeddingDim());
        boolean multiLabel = m.weights().head() != null && cfg.multiLabel();
        this.info =
                new ModelInfo(
                        cfg.name(),
                        m.revision(),
                        m.labels(),
                        multiLabel,
                        hidden,
                        m.embeddingDim(),
                        m.maxTokens(),
                        backend.device());
    }

    /**
     * Loads the model directory and its tokenizer once, then the backend {@code open} makes from
     * them. A failure closes what was opened.
     */
    public static Engine open(
            Path dir, EncoderOptions options, Function<ModelDirectory, Backend> open) {
        ModelDirectory m = ModelDirectory.load(dir, options);
        ModelTokenizer tok =
                ModelTokenizer.load(
                        dir,
                        m.maxTokens(),
                        options.truncation(),
                        m.cfg().sepTokenId(),
                        m.cfg().vocabSize(),
                        m.cfg().name());
        Backend b = null;
        try {
            b = open.apply(m);
            Engine e = new Engine(m, tok, b);
            LOG.info(
                    "loaded {} (revision {}) on {}: {} layers, hidden {}, {} labels, max {} tokens, embedding {} pooling dim {}",
                    m.cfg().name(),
                    m.revision(),
                    e.info.device(),
                    m.cfg().numLayers(),
                    m.cfg().hiddenSize(),
                    m.labels().size(),
                    m.maxTokens(),
                    m.embeddingPooling().name().toLowerCase(Locale.ROOT),
                    m.embeddingDim());
            return e;
        } catch (RuntimeException | Error e) {
            if (b != null) b.close();
            tok.close();
            throw e;
        }
    }

    /**
     * The backend this engine runs (for tools and tests that ask what it is, e.g. its precision).
     */
    public Backend backend() {
        return backend;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public int[] tokenize(String text) {
        return tokenizer.encode(text);
    }

    @Override
    public synchronized List<Prediction> encode(List<int[]> sequences) {
        if (sequences.isEmpty()) return List.of();
        PackedBatch batch = pack(sequences);
        Backend.Output out = backend.forward(batch);
        List<Prediction> result = new ArrayList<>(batch.size());
        for (int s = 0; s < batch.size(); s++) {
            int len = batch.length(s);
            float[] emb =
                    out.embeddings() != null
                            ? out.embeddings()[s]
                            : embedder.embed(out.hidden(), batch.start(s), len);
            if (out.logits() == null) {
                result.add(new Prediction(len, new float[0], new float[0], null, emb));
            } else {
                float[] logits = out.logits()[s];
                float[] scores =
                        out.scores() != null
                                ? out.scores()[s]
                                : Scores.of(logits, info.multiLabel());
                result.add(
                        new Prediction(
                                len,
                                logits,
                                scores,
                                info.labels().get(Scores.argmax(scores)),
                                emb));
            }
        }
        return result;
    }

    /**
     * The final hidden states (after final_norm) of each sequence, [len * hidden] row-major: what
     * the heads read. For tests and tools that compare against a reference layer by layer.
     */
    public synchronized List<float[]> hiddenStates(List<int[]> sequences) {
        if (sequences.isEmpty()) return List.of();
        PackedBatch batch = pack(sequences);
        float[] all = backend.hiddenStates(batch);
        List<float[]> out = new ArrayList<>(batch.size());
        for (int s = 0; s < batch.size(); s++)
            out.add(
                    Arrays.copyOfRange(
                            all,
                            batch.start(s) * hidden,
                            (batch.start(s) + batch.length(s)) * hidden));
        return out;
    }

    private PackedBatch pack(List<int[]> sequences) {
        return PackedBatch.pack(sequences, info.maxTokens(), vocabSize, widestRow);
    }

    @Override
    public synchronized void close() {
        backend.close();
        tokenizer.close();
    }
}
