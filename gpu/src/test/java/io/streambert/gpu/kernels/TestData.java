package io.streambert.gpu.kernels;

import io.streambert.engine.model.Bf16;
import java.util.Random;

/**
 * Seeded inputs for the sweeps: values exactly representable in bf16, like the kernels' bf16
 * inputs.
 */
final class TestData {
    private TestData() {}

    static float[] bf16Gaussian(Random rnd, int n, double std) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = Bf16.round(rnd.nextGaussian() * std);
        return x;
    }

    static float[] gaussian(Random rnd, int n, double mean, double std) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (mean + rnd.nextGaussian() * std);
        return x;
    }
}
