package io.streambert.engine.cpu;

import java.util.SplittableRandom;
import java.util.function.LongToDoubleFunction;

/**
 * Measures this machine's int8 (vpdpbusd) and bf16 (vdpbf16ps) dot-product peaks beside the fp32
 * FMA peak, and the GOP/s of the fp32, bf16 and int8 linear kernels on the base model's shapes, all
 * in one run. Not a test: speed depends on the machine and its load. Run: {@code java --add-modules
 * jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp
 * streams/target/streambert.jar:streams/target/lib/*
 * io.streambert.engine.cpu.LowPrecisionKernelBench [rows...]} An int8 "op" is a multiply or an add
 * (one vpdpbusd lane = 4 multiplies + 4 adds = 8 ops), as for FLOPs.
 */
public final class LowPrecisionKernelBench {
    private LowPrecisionKernelBench() {}

    /** Ops per second of {@code loop(iterations)} run on {@code threads} threads at once. */
    private static double peak(
            int threads, long iterations, double opsPerIteration, LongToDoubleFunction loop)
            throws InterruptedException {
        Thread[] ts = new Thread[threads];
        double[] sink = new double[threads];
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> sink[id] = loop.applyAsDouble(iterations));
            ts[t].start();
        }
        for (Thread t : ts) t.join();
        double sec = (System.nanoTime() - t0) / 1e9;
        if (Double.isNaN(sink[0])) System.out.print("");
        return threads * iterations * opsPerIteration / sec / 1e9;
    }

    private static double int8Loop(long it) {
        try {
            return (long) NativeCpu.get().peakInt8.invokeExact(it);
        } catch (Throwable t) {
            throw NativeCpu.rethrow(t);
        }
    }

    private static double bf16Loop(long it) {
        try {
            return (double) NativeCpu.get().peakBf16.invokeExact(it);
        } catch (Throwable t) {
            throw NativeCpu.rethrow(t);
        }
    }

    private static double gops(LinearOp op, int rows, int reps) {
        SplittableRandom r = new SplittableRandom(1);
        float[] x = new float[rows * op.in()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-1, 1);
        float[] y = new float[rows * op.out()];
        for (int i = 0; i < 3; i++) op.apply(x, rows, y);
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) op.apply(x, rows, y);
        double sec = (System.nanoTime() - t0) / 1e9;
        return 2.0 * rows * op.in() * op.out() * reps / sec / 1e9;
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("# " + NativeCpu.describe());
        if (!NativeCpu.int8() || !NativeCpu.bf16()) {
            System.out.println("# no int8/bf16 kernels here: nothing to measure");
            return;
        }
        int threads = CpuParallel.threads();
        for (int i = 0; i < 3; i++) {
            CpuKernelBench.fmaLoop(2_000_000);
            int8Loop(1_000_000);
            bf16Loop(1_000_000);
        }
        double fp32 = 0, int8 = 0, bf16 = 0;
        long it = 50_000_000L / 16;
        for (int i = 0; i < 5; i++) {
            fp32 = Math.max(fp32, CpuKernelBench.peak(threads, 100_000_000L / LinearTile.LANES));
            int8 =
                    Math.max(
                            int8,
                            peak(threads, it, 24 * 16 * 8, LowPrecisionKernelBench::int8Loop));
            bf16 =
                    Math.max(
                            bf16,
                            peak(threads, it, 24 * 16 * 4, LowPrecisionKernelBench::bf16Loop));
        }
        System.out.printf(
                "{\"threads\": %d, \"fp32_fma_peak_gflops\": %.1f, \"bf16_dot_peak_gflops\": %.1f, \"int8_dot_peak_gops\": %.1f}%n",
                threads, fp32, bf16, int8);
        int[] rowsList =
                args.length == 0
                        ? new int[] {64, 512, 2048}
                        : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        int[][] shapes = {{768, 2304}, {768, 768}, {1152, 768}};
        String[] names = {"Wqkv and mlp.Wi 768->2304", "attn.Wo 768->768", "mlp.Wo 1152->768"};
        for (int s = 0; s < shapes.length; s++) {
            int in = shapes[s][0], out = shapes[s][1];
            SplittableRandom r = new SplittableRandom(2);
            float[] w = new float[out * in];
            for (int i = 0; i < w.length; i++) w[i] = (float) r.nextDouble(-0.05, 0.05);
            LinearOp f = LinearOp.fp32(PackedLinear.pack(w, null, out, in));
            LinearOp h = Bf16Linear.convert(w, null, out, in);
            LinearOp q = Int8Linear.quantize(w, null, out, in);
            for (int rows : rowsList) {
                int reps = (int) Math.max(3, 4e10 / (2.0 * rows * in * out));
                double gf = gops(f, rows, reps),
                        gh = gops(h, rows, 2 * reps),
                        gq = gops(q, rows, 4 * reps);
                System.out.printf(
                        "{\"rows\": %d, \"layer\": \"%s\", \"fp32_gflops\": %.1f, \"fp32_of_peak\": %.2f, \"bf16_gflops\": %.1f, "
                                + "\"bf16_of_peak\": %.2f, \"int8_gops\": %.1f, \"int8_of_peak\": %.2f, \"bf16_vs_fp32\": %.2f, \"int8_vs_fp32\": %.2f}%n",
                        rows, names[s], gf, gf / fp32, gh, gh / bf16, gq, gq / int8, gh / gf,
                        gq / gf);
            }
        }
    }
}
