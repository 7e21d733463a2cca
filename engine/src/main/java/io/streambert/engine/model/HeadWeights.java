package io.streambert.engine.model;

/**
 * The sequence-classification head: dense [H, H] (+bias) -> activation -> LayerNorm -> classifier
 * [labels, H] (+bias).
 */
public record HeadWeights(
        float[] denseWeight,
        float[] denseBias,
        float[] normWeight,
        float[] normBias,
        float[] classifierWeight,
        float[] classifierBias,
        int numLabels) {}
