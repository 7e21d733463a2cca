package io.streambert.engine.model;

/**
 * One encoder layer's weights, widened to f32, row-major as in the checkpoint ([out, in] for
 * linears). Biases and attnNorm are null when absent (layer 0 has no attn_norm; biases depend on
 * the config).
 */
public record LayerWeights(
        float[] attnNormWeight,
        float[] attnNormBias,
        float[] wqkv,
        float[] wqkvBias,
        float[] wo,
        float[] woBias,
        float[] mlpNormWeight,
        float[] mlpNormBias,
        float[] wi,
        float[] wiBias,
        float[] mlpWo,
        float[] mlpWoBias) {}
