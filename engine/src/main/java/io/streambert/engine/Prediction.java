package io.streambert.engine;

/**
 * The heads' output for one sequence.
 *
 * @param tokens number of tokens the model saw ([CLS] and [SEP] included)
 * @param logits raw classifier outputs, one per label; empty when the model has no classifier
 * @param scores softmax (or sigmoid for multi-label) of the logits, same order
 * @param label the label with the highest score, or null without a classifier
 * @param embedding pooled, L2-normalised sentence embedding (Matryoshka-truncated when configured)
 */
public record Prediction(
        int tokens, float[] logits, float[] scores, String label, float[] embedding) {}
