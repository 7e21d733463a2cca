package io.streambert.gpu.device;

/**
 * bfloat16 as the kernels store it: the top 16 bits of an IEEE float. Narrowing rounds to nearest, ties to even
 * (as CUDA's {@code __float2bfloat16} does); NaN stays a quiet NaN; widening is exact.
 */
public final class Bf16 {
    private Bf16() {}

    /** The bf16 bit pattern nearest to {@code f} (ties to even). */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) return (short) ((bits >>> 16) | 0x0040);
        // Adding 0x7fff plus the lowest kept bit carries into the kept half exactly when the dropped half is
        // above one half, or equal to it with an odd kept half.
        bits += 0x7fff + ((bits >>> 16) & 1);
        return (short) (bits >>> 16);
    }

    /** The float a bf16 bit pattern stands for. */
    public static float toFloat(short h) {
        return Float.intBitsToFloat((h & 0xffff) << 16);
    }

    /** {@code f} rounded to the nearest bf16 value, as a float. */
    public static float round(float f) {
        return toFloat(fromFloat(f));
    }
}
