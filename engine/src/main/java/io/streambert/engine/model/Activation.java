package io.streambert.engine.model;

import io.streambert.engine.math.Erf;

/**
 * The activations a ModernBERT config may name (hidden_activation, classifier_activation), by their
 * transformers names.
 */
public enum Activation {
    GELU,
    GELU_TANH,
    RELU,
    SILU,
    TANH;

    /** Maps a transformers ACT2FN name; null when this engine does not implement it. */
    public static Activation parse(String name) {
        return switch (name) {
            case "gelu", "gelu_python" -> GELU;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_TANH;
            case "relu" -> RELU;
            case "silu", "swish" -> SILU;
            case "tanh" -> TANH;
            default -> null;
        };
    }

    public float apply(float x) {
        return switch (this) {
            case GELU -> Erf.gelu(x);
            case GELU_TANH ->
                    (float)
                            (0.5
                                    * x
                                    * (1
                                            + Math.tanh(
                                                    0.7978845608028654
                                                            * (x
                                                                    + 0.044715
                                                                            * x
                                                                            * (double) x
                                                                            * x))));
            case RELU -> Math.max(0f, x);
            case SILU -> (float) (x / (1 + Math.exp(-x)));
            case TANH -> (float) Math.tanh(x);
        };
    }
}
