package io.streambert.gpu.kernels;

import io.streambert.engine.math.Erf;

/** Plain-loop reference of sb_geglu (same arguments). */
public final class GegluReference {
    private GegluReference() {}

    public static void geglu(float[] u, float[] y, int rows, int inter, Rounding rounding) {
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < inter; i++) {
                double x = u[r * 2 * inter + i], gate = u[r * 2 * inter + inter + i];
                double gelu = rounding.keep(gelu(x));
                y[r * inter + i] = (float) rounding.keep(gelu * gate);
            }
        }
    }

    /** Exact GELU 0.5 x (1 + erf(x / sqrt 2)). */
    static double gelu(double x) {
        return 0.5 * x * (1.0 + Erf.erf(x * 0.7071067811865476));
    }
}
