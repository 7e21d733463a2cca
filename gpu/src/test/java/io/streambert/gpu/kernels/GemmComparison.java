package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.Gemm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The GEMM backends of one device side by side (acceptance run, step "gemm-backends"): for each
 * shape, each backend's error against a float64 reference on sampled rows, and its time per product
 * (device marks around {@code reps} products after a warm-up; median of 5 such rounds). Shapes are
 * ModernBERT-base's per-layer products for a batch of {@code tokens} tokens. Not a unit test:
 * numbers for the report.
 */
public final class GemmComparison {
    private GemmComparison() {}

    /**
     * One backend on one shape: max |error| / max |reference| over the sampled rows, and
     * milliseconds per product.
     */
    public record Row(
            String shape, String backend, double relError, double msPerProduct, double tflops) {}

    public static List<Row> run(Device device, Map<String, Gemm> backends, int tokens, int reps) {
        // ModernBERT-base: hidden 768, intermediate 1152 (Wi is [2 * 1152, 768], mlp.Wo [768,
        // 1152])
        int[][] shapes = {{tokens, 2304, 768}, {tokens, 768, 768}, {tokens, 768, 1152}};
        String[] names = {"Wqkv and mlp.Wi", "attn.Wo", "mlp.Wo"};
        List<Row> rows = new ArrayList<>();
        Random rnd = new Random(11);
        for (int s = 0; s < shapes.length; s++) {
            int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
            float[] a = TestData.bf16Gaussian(rnd, m * k, 1.0),
                    w = TestData.bf16Gaussian(rnd, n * k, 0.05);
            int[] sample = sampleRows(m, 16);
            double[] ref = reference(a, w, sample, n, k);
            try (DeviceBuffer ab = device.alloc(2L * m * k);
                    DeviceBuffer wb = device.alloc(2L * n * k);
                    DeviceBuffer cb = device.alloc(2L * m * n)) {
                device.uploadBf16(a, ab);
                device.uploadBf16(w, wb);
                for (Map.Entry<String, Gemm> b : backends.entrySet()) {
                    Gemm g = b.getValue();
                    g.run(ab, wb, null, cb, Gemm.Output.BF16, m, n, k);
                    device.synchronize();
                    float[] c = new float[m * n];
                    device.downloadBf16(cb, c);
                    double maxErr = 0, maxRef = 1e-30;
                    for (int i = 0; i < sample.length; i++) {
                        for (int j = 0; j < n; j++) {
                            double r = ref[i * n + j];
                            maxErr = Math.max(maxErr, Math.abs(c[sample[i] * n + j] - r));
                            maxRef = Math.max(maxRef, Math.abs(r));
                        }
                    }
                    double[] rounds = new double[5];
                    for (int round = 0; round < rounds.length; round++) {
                        Object t0 = device.mark();
                        for (int rep = 0; rep < reps; rep++)
                            g.run(ab, wb, null, cb, Gemm.Output.BF16, m, n, k);
                        Object t1 = device.mark();
                        rounds[round] = device.elapsedMs(t0, t1) / reps;
                    }
                    Arrays.sort(rounds);
                    double ms = rounds[rounds.length / 2];
                    rows.add(
                            new Row(
                                    names[s] + " " + m + "x" + n + "x" + k,
                                    b.getKey(),
                                    maxErr / maxRef,
                                    ms,
                                    2.0 * m * n * k / (ms * 1e-3) / 1e12));
                }
            }
        }
        return rows;
    }

    private static int[] sampleRows(int m, int count) {
        int c = Math.min(m, count);
        int[] r = new int[c];
        for (int i = 0; i < c; i++) r[i] = (int) ((long) i * (m - 1) / Math.max(1, c - 1));
        return r;
    }

    private static double[] reference(float[] a, float[] w, int[] rows, int n, int k) {
        double[] out = new double[rows.length * n];
        for (int i = 0; i < rows.length; i++) {
            int r = rows[i];
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int x = 0; x < k; x++) s += (double) a[r * k + x] * w[j * k + x];
                out[i * n + j] = s;
            }
        }
        return out;
    }

    /** A LinkedHashMap of the named backends, for callers. */
    public static Map<String, Gemm> backends(Object... nameThenGemm) {
        Map<String, Gemm> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenGemm.length; i += 2)
            m.put((String) nameThenGemm[i], (Gemm) nameThenGemm[i + 1]);
        return m;
    }
}
