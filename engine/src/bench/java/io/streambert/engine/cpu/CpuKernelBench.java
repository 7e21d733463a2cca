package io.streambert.engine.cpu;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures this machine's fp32 FMA peak (a register-only Vector API FMA loop, per thread and on all
 * threads) and the GFLOP/s of {@link CpuKernels#linear} on the base model's shapes. Not a test:
 * speed depends on the machine and its load. Run: {@code bin/mvn -q -pl app -am package
 * -DskipTests; java --add-modules jdk.incubator.vector [-Dstreambert.cpu.threads=1] -cp
 * "engine/target/test-classes:app/target/streambert.jar:app/target/lib/*"
 * io.streambert.engine.cpu.CpuKernelBench [rows...]} (a bench source set, src/bench/java, compiled
 * with the tests and never part of the engine jar)
 */
public final class CpuKernelBench {
    private CpuKernelBench() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /**
     * 12 independent FMA chains (enough to cover latency x 2 pipes); returns a value so the JIT
     * cannot drop the work.
     */
    static float fmaLoop(long iterations) {
        FloatVector m = FloatVector.broadcast(S, 0.999999f), c = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S, 1f),
                a1 = a0.add(1),
                a2 = a0.add(2),
                a3 = a0.add(3),
                a4 = a0.add(4),
                a5 = a0.add(5);
        FloatVector a6 = a0.add(6),
                a7 = a0.add(7),
                a8 = a0.add(8),
                a9 = a0.add(9),
                a10 = a0.add(10),
                a11 = a0.add(11);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1)
                .add(a2)
                .add(a3)
                .add(a4)
                .add(a5)
                .add(a6)
                .add(a7)
                .add(a8)
                .add(a9)
                .add(a10)
                .add(a11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    /** GFLOP/s of the FMA loop on {@code threads} threads at once. */
    static double peak(int threads, long iterations) throws InterruptedException {
        Thread[] ts = new Thread[threads];
        float[] sink = new float[threads];
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> sink[id] = fmaLoop(iterations));
            ts[t].start();
        }
        for (Thread t : ts) t.join();
        double sec = (System.nanoTime() - t0) / 1e9;
        if (Float.isNaN(sink[0])) System.out.print("");
        return threads * iterations * 12.0 * S.length() * 2 / sec / 1e9;
    }

    static double linearGflops(int rows, int in, int out, int reps) {
        SplittableRandom r = new SplittableRandom(1);
        float[] w = new float[out * in];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextDouble(-0.05, 0.05);
        float[] x = new float[rows * in];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-1, 1);
        float[] y = new float[rows * out];
        PackedLinear p = PackedLinear.pack(w, null, out, in);
        for (int i = 0; i < 3; i++) CpuKernels.linear(x, rows, p, y);
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) CpuKernels.linear(x, rows, p, y);
        double sec = (System.nanoTime() - t0) / 1e9;
        return 2.0 * rows * in * out * reps / sec / 1e9;
    }

    public static void main(String[] args) throws InterruptedException {
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("species %s (%d floats), cores %d%n", S, S.length(), cores);
        for (int i = 0; i < 3; i++) fmaLoop(2_000_000); // compile
        double best1 = 0, bestAll = 0;
        for (int i = 0; i < 5; i++) {
            best1 = Math.max(best1, peak(1, 200_000_000L / S.length()));
            bestAll = Math.max(bestAll, peak(cores, 200_000_000L / S.length()));
        }
        System.out.printf(
                "{\"fma_peak_gflops_1_thread\": %.1f, \"fma_peak_gflops_all\": %.1f}%n",
                best1, bestAll);
        // Compare with the peak of as many threads as the kernels use (-Dstreambert.cpu.threads=1
        // for one core).
        double peak = CpuParallel.threads() == 1 ? best1 : bestAll;
        int[] rowsList =
                args.length == 0
                        ? new int[] {64, 512, 2048}
                        : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        int[][] shapes = {{768, 2304}, {768, 768}, {1152, 768}};
        String[] names = {
            "Wqkv and mlp.Wi 768->2304", "attn.Wo 768->768", "mlp.Wo 1152->768"
        }; // base model
        for (int rows : rowsList) {
            for (int s = 0; s < shapes.length; s++) {
                int in = shapes[s][0], out = shapes[s][1];
                int reps = (int) Math.max(3, 4e10 / (2.0 * rows * in * out)); // ~0.1 s per shape
                double g = linearGflops(rows, in, out, reps);
                System.out.printf(
                        "{\"rows\": %d, \"layer\": \"%s\", \"threads\": %d, \"gflops\": %.1f, \"of_peak\": %.2f}%n",
                        rows, names[s], CpuParallel.threads(), g, g / peak);
            }
        }
    }
}
