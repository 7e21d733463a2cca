package io.streambert.gpu.kernels;

/** bfloat16 as the twins model it: a float whose low 16 bits are zero, rounded to nearest even like the GPU's
 *  {@code __float2bfloat16_rn} and {@code Device.uploadBf16}. */
public final class Bf16 {
    private Bf16() {}

    public static float round(float f) {
        if (Float.isNaN(f)) return f;
        int bits = Float.floatToRawIntBits(f);
        int lsb = (bits >>> 16) & 1;                  // ties go to the even neighbour
        return Float.intBitsToFloat((bits + 0x7fff + lsb) & 0xffff0000);
    }

    public static float round(double d) { return round((float) d); }

    /** A copy of {@code x} with every value rounded to bf16. */
    public static float[] roundAll(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = round(x[i]);
        return y;
    }
}
