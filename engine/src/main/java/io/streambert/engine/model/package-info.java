/**
 * Loading Hugging Face ModernBERT model directories.
 *
 * <ul>
 *   <li>{@link io.streambert.engine.model.SafeTensorsFile}: memory-mapped safetensors with a fully
 *       validated header (length bounds and a 100 MiB cap, JSON, dtypes, shape x dtype = bytes,
 *       offsets inside the file, no overlaps).
 *   <li>{@link io.streambert.engine.model.Checkpoint}: {@code model.safetensors} or the shards of
 *       {@code model.safetensors.index.json}; encoder names with or without {@code model.}.
 *   <li>{@link io.streambert.engine.model.ModelConfig}: config.json in the released and in the
 *       newer layout.
 *   <li>{@link io.streambert.engine.model.ModernBertWeights}: the tensors a ModernBERT needs,
 *       checked against the config; which checkpoints are accepted and what happens to unexpected
 *       tensors is documented there.
 *   <li>{@link io.streambert.engine.model.SentenceTransformersPooling}: embedding pooling from
 *       modules.json / 1_Pooling.
 *   <li>{@link io.streambert.engine.model.SafeTensorsWriter}: writes checkpoints (tests, random
 *       models).
 * </ul>
 *
 * Every problem is a {@link io.streambert.engine.model.ModelLoadException} whose message starts
 * with the file (and names the tensor or field).
 */
package io.streambert.engine.model;
