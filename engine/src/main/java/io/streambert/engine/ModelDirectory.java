package io.streambert.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.streambert.engine.heads.Pooling;
import io.streambert.engine.model.Checkpoint;
import io.streambert.engine.model.CheckpointShape;
import io.streambert.engine.model.ModelConfig;
import io.streambert.engine.model.ModelLoadException;
import io.streambert.engine.model.ModernBertWeights;
import io.streambert.engine.model.SentenceTransformersPooling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model directory read and checked once for every encoder (CPU and device), so all devices accept
 * and reject the same models and options with the same messages: config, token limit, embedding
 * dimension and pooling, weights, labels (id2label, or LABEL_i when the config has none).
 */
public record ModelDirectory(
        Path dir,
        ModelConfig cfg,
        ModernBertWeights weights,
        String revision,
        int maxTokens,
        int embeddingDim,
        Pooling embeddingPooling,
        List<String> labels) {

    public static ModelDirectory load(Path dir, EncoderOptions options) {
        if (options.maxTokens() < 0)
            throw new IllegalArgumentException(
                    "max tokens must be 0 (the model's limit) or positive, got "
                            + options.maxTokens());
        EncoderOptions.checkThreads(options.threads(), "threads");
        if (options.embeddingDim() < 0)
            throw new IllegalArgumentException(
                    "embedding dimension must be 0 (full) or positive, got "
                            + options.embeddingDim());
        JsonNode json = ModelConfig.readJson(dir);
        // The checkpoint's headers first (memory-mapped, nothing read yet): config.json's sizes are
        // checked against
        // its tensors before anything is allocated from them.
        try (Checkpoint ck = Checkpoint.open(dir)) {
            ModelConfig cfg =
                    ModelConfig.parse(
                            dir.resolve("config.json"),
                            json,
                            ModelConfig.dirName(dir),
                            CheckpointShape.of(ck));
            if (cfg.maxPositions() < 2) {
                throw new ModelLoadException(
                        dir.resolve("config.json")
                                + ": field 'max_position_embeddings': "
                                + cfg.maxPositions()
                                + " leaves no room for [CLS] and [SEP]");
            }
            int maxTokens =
                    options.maxTokens() > 0
                            ? Math.min(options.maxTokens(), cfg.maxPositions())
                            : cfg.maxPositions();
            if (maxTokens < 2)
                throw new IllegalArgumentException(
                        "max tokens " + maxTokens + " leaves no room for [CLS] and [SEP]");
            int embeddingDim =
                    options.embeddingDim() <= 0 ? cfg.hiddenSize() : options.embeddingDim();
            if (embeddingDim > cfg.hiddenSize()) {
                throw new IllegalArgumentException(
                        "embedding dimension "
                                + options.embeddingDim()
                                + " must be 0 (full) or 1.."
                                + cfg.hiddenSize());
            }
            String poolingName = options.pooling();
            String source = "EncoderOptions.pooling";
            if (poolingName == null) {
                poolingName = SentenceTransformersPooling.read(dir);
                source = "sentence-transformers config in " + dir;
            }
            if (poolingName == null) {
                poolingName = "mean";
                source = "default";
            }
            Pooling pooling = Pooling.parse(poolingName, source);
            ModernBertWeights weights = ModernBertWeights.load(ck, cfg);
            String revision = ck.revision();
            List<String> labels = List.of();
            if (weights.head() != null) {
                if (!cfg.id2label().isEmpty()
                        && cfg.id2label().size() != weights.head().numLabels()) {
                    throw new ModelLoadException(
                            dir.resolve("config.json")
                                    + ": field 'id2label': "
                                    + cfg.id2label().size()
                                    + " labels, but the checkpoint's classifier has "
                                    + weights.head().numLabels()
                                    + " rows");
                }
                labels = cfg.id2label();
                if (labels.isEmpty()) {
                    List<String> generated = new ArrayList<>();
                    for (int i = 0; i < weights.head().numLabels(); i++)
                        generated.add("LABEL_" + i);
                    labels = generated;
                }
            }
            return new ModelDirectory(
                    dir,
                    cfg,
                    weights,
                    revision,
                    maxTokens,
                    embeddingDim,
                    pooling,
                    List.copyOf(labels));
        }
    }
}
