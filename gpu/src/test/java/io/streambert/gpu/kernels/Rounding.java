package io.streambert.gpu.kernels;

import io.streambert.engine.model.Bf16;

/**
 * How a reference computes. {@link #EXACT}: float64 throughout on the given (bf16-valued) inputs,
 * no rounding of the output: the truth the kernels are measured against. {@link #NAIVE_BF16}: the
 * same loops with every intermediate and the output rounded to bf16, as a naive bf16 kernel would
 * keep them; its error against EXACT sets each test's tolerance (kernel error <= 2x naive error).
 */
public enum Rounding {
    EXACT,
    NAIVE_BF16;

    /** v as this mode keeps an intermediate: unchanged, or rounded to bf16. */
    double keep(double v) {
        return this == EXACT ? v : Bf16.round(v);
    }
}
