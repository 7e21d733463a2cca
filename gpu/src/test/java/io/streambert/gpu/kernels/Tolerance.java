package io.streambert.gpu.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sweep tests' error budget: a kernel may be off the float64 truth by at most twice what a
 * naive bf16 computation of the same math is off (both measured here), plus a tiny floor for cases
 * both get exact.
 */
final class Tolerance {
    private Tolerance() {}

    static double maxAbsError(float[] got, float[] truth) {
        return maxAbsError(got, truth, 0, truth.length);
    }

    static double maxAbsError(float[] got, float[] truth, int from, int to) {
        double max = 0;
        for (int i = from; i < to; i++) {
            double d = Math.abs((double) got[i] - truth[i]);
            if (Double.isNaN(d)) return Double.POSITIVE_INFINITY;
            max = Math.max(max, d);
        }
        return max;
    }

    static double maxAbs(float[] x) {
        double m = 0;
        for (float v : x) m = Math.max(m, Math.abs(v));
        return m;
    }

    /**
     * kernelErr <= 2 * naiveErr + floor, where floor = 1e-6 * max|truth|; returns the two errors as
     * text.
     */
    static String assertWithinNaive(String what, float[] kernel, float[] exact, float[] naive) {
        double kernelErr = maxAbsError(kernel, exact), naiveErr = maxAbsError(naive, exact);
        double floor = 1e-6 * Math.max(1e-3, maxAbs(exact));
        String report =
                String.format(
                        "%s: kernel err %.3g, naive bf16 err %.3g", what, kernelErr, naiveErr);
        assertTrue(
                kernelErr <= 2 * naiveErr + floor,
                report + " (budget " + (2 * naiveErr + floor) + ")");
        return report;
    }

    /**
     * Each value within half a bf16 ulp (2^-8 relative, +1% slack for fp32 ops) of the truth: what
     * a kernel that computes in fp32 and rounds once on store must achieve.
     */
    static void assertRoundedOnce(String what, float[] kernel, float[] exact) {
        double floor = 1e-6 * Math.max(1e-3, maxAbs(exact));
        for (int i = 0; i < exact.length; i++) {
            double err = Math.abs((double) kernel[i] - exact[i]);
            double allowed = Math.abs(exact[i]) * (1.01 / 256) + floor;
            assertTrue(
                    err <= allowed,
                    what + ": element " + i + " is " + kernel[i] + ", truth " + exact[i]);
        }
    }
}
