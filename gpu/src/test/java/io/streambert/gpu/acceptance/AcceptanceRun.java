package io.streambert.gpu.acceptance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streambert.gpu.device.CublasGemm;
import io.streambert.gpu.device.CublasLibrary;
import io.streambert.gpu.device.CudaDevice;
import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.EmulatedDevice;
import io.streambert.gpu.device.EmulatedGemm;
import io.streambert.gpu.device.Gemm;
import io.streambert.gpu.device.NvrtcLibrary;
import io.streambert.gpu.kernels.GemmComparison;
import io.streambert.gpu.kernels.TiledGemm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GPU acceptance run (the bundle's run.sh calls it; no Maven, no network). Steps, each recorded
 * in {@code OUT/report.json} with its outcome and figures:
 *
 * <ol>
 *   <li>{@code kernels}: every kernel sweep against its plain-loop reference, on the chosen device;
 *   <li>{@code kernels-nvrtc} (cuda): the same sweeps with every module compiled by NVRTC instead
 *       of the fatbins;
 *   <li>{@code encoder}: the GPU encoder's golden (tiny-a, tiny-b), batch-invariance and head
 *       tests;
 *   <li>{@code gemm-backends}: cuBLAS and sb_gemm_bf16 side by side (error against float64, ms,
 *       TFLOP/s);
 *   <li>{@code forward-kernel-times} (cuda): per-kernel device time of one forward pass, from CUDA
 *       events;
 *   <li>{@code bench} (cuda, unless --no-bench): what the bench command measures ({@link
 *       EngineBench}) on a random base-size model made on the spot, short and long workloads, on
 *       cuda and on the CPU engine.
 * </ol>
 *
 * Exit status 0 only when every step passed. Usage: {@code AcceptanceRun --device cuda|emulated
 * --out DIR [--no-bench] [--lengths DIR]}.
 */
public final class AcceptanceRun {
    static final List<String> KERNEL_TESTS =
            List.of(
                    "io.streambert.gpu.kernels.GemmKernelTest",
                            "io.streambert.gpu.kernels.AttentionKernelTest",
                    "io.streambert.gpu.kernels.GegluKernelTest",
                            "io.streambert.gpu.kernels.LayerNormKernelTest",
                    "io.streambert.gpu.kernels.PoolingKernelTest",
                            "io.streambert.gpu.kernels.RopeKernelTest");
    static final List<String> ENCODER_TESTS =
            List.of(
                    "io.streambert.gpu.encoder.GpuGoldenTest",
                            "io.streambert.gpu.encoder.GpuGoldenTinyBTest",
                    "io.streambert.gpu.encoder.GpuBatchInvarianceTest",
                            "io.streambert.gpu.encoder.GpuEmbeddingOptionsTest");

    private final String device;
    private final Path out;
    private final boolean bench;
    private final Path lengths;
    private final Map<String, Object> report = new LinkedHashMap<>();
    private final List<Map<String, Object>> steps = new ArrayList<>();
    private boolean ok = true;

    private AcceptanceRun(String device, Path out, boolean bench, Path lengths) {
        this.device = device;
        this.out = out;
        this.bench = bench;
        this.lengths = lengths;
    }

    public static void main(String[] args) throws IOException {
        String device = "cuda";
        Path out = null, lengths = null;
        boolean bench = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> device = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                case "--no-bench" -> bench = false;
                case "--lengths" -> lengths = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (out == null) throw new IllegalArgumentException("--out DIR is required");
        if (lengths == null) lengths = classpathFolder("/bench");
        if (!device.equals("cuda") && !device.equals("emulated"))
            throw new IllegalArgumentException("--device cuda|emulated");
        Files.createDirectories(out);
        AcceptanceRun run = new AcceptanceRun(device, out, bench && device.equals("cuda"), lengths);
        int rc = run.run();
        System.exit(rc);
    }

    /**
     * A folder of the class path (a directory entry: data/ in the bundle, target/test-classes under
     * Maven).
     */
    private static Path classpathFolder(String resource) {
        try {
            java.net.URL u = AcceptanceRun.class.getResource(resource);
            if (u == null) throw new IllegalStateException(resource + " is not on the class path");
            return Path.of(u.toURI());
        } catch (java.net.URISyntaxException | java.nio.file.FileSystemNotFoundException e) {
            throw new IllegalStateException(
                    resource + " is not a folder on the class path: " + e, e);
        }
    }

    private int run() throws IOException {
        long t0 = System.nanoTime();
        report.put("device_requested", device);
        report.put("started_utc", java.time.Instant.now().toString());
        report.put("environment", environment());
        report.put("steps", steps);
        System.setProperty("streambert.test.devices", device);
        write();
        tests("kernels", KERNEL_TESTS);
        if (device.equals("cuda")) {
            System.setProperty("streambert.cuda.modules", "nvrtc");
            resetSharedDevices();
            tests("kernels-nvrtc", KERNEL_TESTS);
            System.clearProperty("streambert.cuda.modules");
            resetSharedDevices();
        }
        tests("encoder", ENCODER_TESTS);
        step("gemm-backends", this::gemmBackends);
        if (device.equals("cuda"))
            step("forward-kernel-times", () -> ForwardKernelTimes.run(openDevice()));
        if (bench) step("bench", this::bench);
        report.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        report.put("ok", ok);
        write();
        System.out.println(
                "acceptance run " + (ok ? "PASSED" : "FAILED") + ": " + out.resolve("report.json"));
        return ok ? 0 : 1;
    }

    private Map<String, Object> environment() {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put(
                "java",
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        env.put(
                "os",
                System.getProperty("os.name")
                        + " "
                        + System.getProperty("os.version")
                        + " "
                        + System.getProperty("os.arch"));
        env.put("cpus", Runtime.getRuntime().availableProcessors());
        if (device.equals("cuda")) {
            env.put("cuda_available", CudaDevice.isAvailable());
            if (!CudaDevice.isAvailable())
                env.put("cuda_unavailable_reason", CudaDevice.unavailableReason());
            env.put(
                    "cublas",
                    probe(
                            () -> {
                                CublasLibrary c = CublasLibrary.load();
                                return c.name() + " " + c.version();
                            }));
            env.put("nvrtc", probe(() -> NvrtcLibrary.load().name()));
            if (CudaDevice.isAvailable()) {
                try (CudaDevice d = CudaDevice.open(0)) {
                    env.put("gpu", d.name());
                    env.put("compute_capability", d.computeCapability());
                    env.put("driver_version", d.driverVersion());
                    env.put("modules", d.moduleOrigins());
                } catch (RuntimeException | Error e) {
                    env.put("gpu_open_failure", e.toString());
                }
            }
        }
        return env;
    }

    private interface Probe {
        String get();
    }

    private static String probe(Probe p) {
        try {
            return p.get();
        } catch (RuntimeException | Error e) {
            return "unavailable: " + e.getMessage();
        }
    }

    private Device openDevice() {
        return device.equals("cuda") ? CudaDevice.open(0) : new EmulatedDevice();
    }

    private static void resetSharedDevices() {
        io.streambert.gpu.device.TestDevices.reset();
    }

    private void tests(String name, List<String> classes) throws IOException {
        System.out.println("== " + name + " (" + device + ")");
        long t0 = System.nanoTime();
        List<TestRun.Result> results = TestRun.classes(classes);
        long failed = results.stream().filter(r -> r.status().equals("failed")).count();
        long passed = results.stream().filter(r -> r.status().equals("passed")).count();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", name);
        s.put("ok", failed == 0 && passed > 0);
        s.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        s.put("passed", passed);
        s.put("failed", failed);
        s.put("skipped", results.stream().filter(r -> r.status().equals("skipped")).count());
        s.put("tests", results);
        finish(s);
    }

    private interface Body {
        Object run() throws Exception;
    }

    private void step(String name, Body body) throws IOException {
        System.out.println("== " + name + " (" + device + ")");
        long t0 = System.nanoTime();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", name);
        try {
            Object figures = body.run();
            s.put("ok", true);
            s.put("figures", figures);
        } catch (Exception | Error e) {
            s.put("ok", false);
            s.put("error", e.toString());
            e.printStackTrace(System.out);
        }
        s.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        finish(s);
    }

    private void finish(Map<String, Object> s) throws IOException {
        if (!(Boolean) s.get("ok")) ok = false;
        steps.add(s);
        System.out.println(
                "   -> "
                        + ((Boolean) s.get("ok") ? "ok" : "FAILED")
                        + " in "
                        + s.get("seconds")
                        + " s");
        write();
    }

    private Object gemmBackends() {
        try (Device d = openDevice()) {
            Map<String, Gemm> backends = new LinkedHashMap<>();
            backends.put("sb_gemm_bf16", new TiledGemm(d));
            if (d instanceof CudaDevice c) {
                try {
                    backends.put("cublas", new CublasGemm(c, CublasLibrary.load()));
                } catch (RuntimeException | Error e) {
                    System.out.println("   cuBLAS unavailable: " + e.getMessage());
                }
            } else {
                backends.put("host stand-in", new EmulatedGemm((EmulatedDevice) d));
            }
            int tokens = d instanceof CudaDevice ? 8192 : 64;
            List<GemmComparison.Row> rows =
                    GemmComparison.run(d, backends, tokens, d instanceof CudaDevice ? 20 : 1);
            for (GemmComparison.Row r : rows)
                System.out.printf(
                        "   %-34s %-14s rel.err %.2e  %9.3f ms  %7.1f TFLOP/s%n",
                        r.shape(), r.backend(), r.relError(), r.msPerProduct(), r.tflops());
            for (GemmComparison.Row r : rows)
                if (!(r.relError() < 2e-2))
                    throw new AssertionError(
                            r.backend() + " on " + r.shape() + ": relative error " + r.relError());
            for (Gemm g : backends.values()) g.close();
            return rows;
        }
    }

    private Object bench() throws Exception {
        Path model = Files.createTempDirectory("streambert-base-bench-");
        io.streambert.engine.random.RandomCheckpoint.write(
                model, io.streambert.engine.random.RandomModelSize.BASE, 2, 7);
        List<Object> runs = new ArrayList<>();
        for (String workload : List.of("short", "long")) {
            Map<String, Object> pair = new LinkedHashMap<>();
            pair.put("workload", workload);
            for (String dev : List.of("cuda", "cpu")) {
                Map<String, Object> r =
                        EngineBench.run(
                                model,
                                lengths.resolve(workload + ".lengths"),
                                dev,
                                dev.equals("cpu") ? 1 : 3);
                pair.put(dev, r);
                System.out.printf(
                        "   %-5s %-4s %10.1f tokens/s  (%s)%n",
                        workload, dev, (Double) r.get("tokens_per_s"), r.get("device"));
            }
            double g = (Double) ((Map<?, ?>) pair.get("cuda")).get("tokens_per_s"),
                    c = (Double) ((Map<?, ?>) pair.get("cpu")).get("tokens_per_s");
            pair.put("cuda_over_cpu", g / c);
            runs.add(pair);
        }
        return runs;
    }

    private void write() throws IOException {
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve("report.json").toFile(), report);
    }
}
