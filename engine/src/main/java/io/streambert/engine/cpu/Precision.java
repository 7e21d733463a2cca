package io.streambert.engine.cpu;

import java.util.Locale;

/**
 * The number format of the CPU encoder's matrix products (LayerNorm, softmax, the residual stream
 * and the heads stay fp32 in every mode).
 *
 * <ul>
 *   <li>{@code fp32}: the Java Vector API kernels (the default);
 *   <li>{@code bf16}: bf16 weights and activations, fp32 accumulation ({@link Bf16Linear},
 *       AVX512-BF16);
 *   <li>{@code int8}: per-channel int8 weights, per-token int8 activations, int32 accumulation
 *       ({@link Int8Linear}, AVX512-VNNI);
 *   <li>{@code auto}: the fastest mode that meets the accuracy bar on the model's own check set
 *       ({@link PrecisionCheck}), fp32 when the model ships none.
 * </ul>
 *
 * A mode whose kernel this processor lacks (or whose library is missing) runs fp32, and says so in
 * the log.
 */
public enum Precision {
    FP32,
    BF16,
    INT8,
    AUTO;

    public static Precision parse(String s) {
        if (s == null || s.isBlank()) return FP32;
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "fp32", "float32", "f32" -> FP32;
            case "bf16", "bfloat16" -> BF16;
            case "int8", "i8" -> INT8;
            case "auto" -> AUTO;
            default ->
                    throw new IllegalArgumentException(
                            "unknown precision '" + s + "': expected fp32, bf16, int8 or auto");
        };
    }

    /** What actually runs here for this request (AUTO is resolved elsewhere and stays AUTO). */
    public Precision available() {
        return switch (this) {
            case INT8 -> NativeCpu.int8() ? INT8 : FP32;
            case BF16 -> NativeCpu.bf16() ? BF16 : FP32;
            default -> this;
        };
    }

    /**
     * The layer W [out, in] (+ bias) ready to run in this precision, or in fp32 when its kernel is
     * not available.
     */
    public LinearOp linear(float[] w, float[] b, int out, int in) {
        return switch (available()) {
            case INT8 -> Int8Linear.quantize(w, b, out, in);
            case BF16 -> Bf16Linear.convert(w, b, out, in);
            default -> LinearOp.fp32(PackedLinear.pack(w, b, out, in));
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
