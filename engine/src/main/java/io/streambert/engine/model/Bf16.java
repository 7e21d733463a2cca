package io.streambert.engine.model;

/**
 * bf16 <-> f32 (the one bf16 helper of the module: loader, kernels, devices and twins all use it):
 * bf16 is the top 16 bits of an f32, so widening is a shift and narrowing rounds to nearest even.
 */
public final class Bf16 {
    private Bf16() {}

    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Round-to-nearest-even; NaN stays a (quiet) NaN rather than rounding into infinity. */
    public static short fromFloat(float f) {
        int u = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((u >>> 16) | 0x0040);
        int rounding = ((u >>> 16) & 1) + 0x7FFF;
        return (short) ((u + rounding) >>> 16);
    }

    /** f32 value nearest to f that bf16 can hold: what a bf16 checkpoint of f widens back to. */
    public static float round(float f) {
        return toFloat(fromFloat(f));
    }

    /**
     * {@code d} narrowed to float, then rounded to bf16 (what a kernel storing a double-ish result
     * keeps).
     */
    public static float round(double d) {
        return round((float) d);
    }

    /** A copy of {@code x} with every value rounded to bf16. */
    public static float[] roundAll(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = round(x[i]);
        return y;
    }
}
