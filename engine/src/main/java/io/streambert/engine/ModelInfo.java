package io.streambert.engine;

import java.util.List;

/**
 * Facts about a loaded encoder that its users need: how to name results and how big they are.
 *
 * @param name model name (directory name, or {@code _name_or_path} from config.json)
 * @param revision a short content hash of the weights, so results can say which model made them
 * @param labels classification labels in logit order (from id2label); empty for a bare encoder
 * @param multiLabel true when scores are independent sigmoids (problem_type
 *     multi_label_classification)
 * @param hiddenSize the encoder's hidden size
 * @param embeddingDim length of {@link Prediction#embedding()} (hidden size, or the Matryoshka
 *     dimension)
 * @param maxTokens token limit per sequence, [CLS] and [SEP] included
 * @param device where it runs: "cpu", "cuda:0", "emulated"
 */
public record ModelInfo(
        String name,
        String revision,
        List<String> labels,
        boolean multiLabel,
        int hiddenSize,
        int embeddingDim,
        int maxTokens,
        String device) {
    public ModelInfo {
        labels = List.copyOf(labels);
    }
}
