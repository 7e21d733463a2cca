package io.streambert.bundle;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * CI's check of the GPU acceptance bundle, before any GPU sees it: build it from module gpu's build
 * output, check its size and contents, then run its run.sh on the emulated device (kernel sweeps
 * and encoder goldens, no bench) and read the report.
 */
class GpuBundleIT {
    @Test
    void theBundleIsSmallEnoughAndPassesOnTheEmulator() throws Exception {
        Path gpuTarget = Path.of("..", "gpu", "target").toAbsolutePath().normalize();
        Path bundle = Path.of("target", "gpu-bundle").toAbsolutePath();
        long bytes = GpuBundle.build(gpuTarget, bundle, new PrintWriter(System.out, true, UTF_8));
        assertTrue(bytes <= GpuBundle.MAX_BYTES, "bundle of " + bytes + " bytes");
        assertTrue(Files.isExecutable(bundle.resolve("run.sh")));
        assertTrue(
                Files.size(bundle.resolve("runtime.tar.xz")) > 5_000_000,
                "a Java runtime is packed");
        List<String> jars = new ArrayList<>();
        try (var s = Files.list(bundle.resolve("lib"))) {
            s.forEach(p -> jars.add(p.getFileName().toString()));
        }
        assertTrue(
                jars.stream().anyMatch(j -> j.matches("streambert-gpu-.*-tests\\.jar")),
                jars.toString());
        assertTrue(
                jars.stream().anyMatch(j -> j.matches("streambert-engine-.*-tests\\.jar")),
                "golden sets: " + jars);
        assertFalse(
                jars.stream().anyMatch(j -> j.startsWith("kafka")),
                "no Kafka in the bundle: " + jars);
        Path tokenizers =
                bundle.resolve("lib")
                        .resolve(
                                jars.stream()
                                        .filter(j -> j.startsWith("tokenizers-"))
                                        .findFirst()
                                        .orElseThrow());
        try (ZipFile z = new ZipFile(tokenizers.toFile())) {
            assertTrue(
                    z.stream()
                            .noneMatch(
                                    e ->
                                            e.getName().contains("osx-")
                                                    || e.getName().contains("win-")
                                                    || e.getName().contains("aarch64")),
                    "linux-x86_64 natives only");
            assertTrue(
                    z.stream().anyMatch(e -> e.getName().startsWith("native/lib/linux-x86_64/")));
        }

        Path out = Path.of("target", "gpu-bundle-run").toAbsolutePath();
        Process p =
                new ProcessBuilder(
                                "bash",
                                bundle.resolve("run.sh").toString(),
                                "--device",
                                "emulated",
                                "--no-bench",
                                out.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(Path.of("target", "gpu-bundle-run.out").toFile())
                        .start();
        assertTrue(p.waitFor(15, TimeUnit.MINUTES), "run.sh finished");
        assertEquals(
                0,
                p.exitValue(),
                "run.sh --device emulated exit status (log: " + out.resolve("run.log") + ")");
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertTrue(report.path("ok").asBoolean(), report.toPrettyString());
        List<String> steps = new ArrayList<>();
        for (JsonNode s : report.path("steps")) {
            steps.add(s.path("name").asText());
            assertTrue(s.path("ok").asBoolean(), s.toPrettyString());
        }
        assertEquals(List.of("kernels", "encoder", "gemm-backends"), steps);
        assertTrue(
                report.path("steps").get(0).path("passed").asInt() >= 50, "the kernel sweeps ran");
        assertTrue(Files.size(out.resolve("run.log")) > 0);

        // Asked for a GPU where there is none (CI), the run must fail loudly: non-zero exit, ok
        // false, the reason kept.
        if (!Files.exists(Path.of("/dev/nvidia0"))) {
            Path cudaOut = Path.of("target", "gpu-bundle-run-cuda").toAbsolutePath();
            Process c =
                    new ProcessBuilder(
                                    "bash",
                                    bundle.resolve("run.sh").toString(),
                                    "--no-bench",
                                    cudaOut.toString())
                            .redirectErrorStream(true)
                            .redirectOutput(Path.of("target", "gpu-bundle-run-cuda.out").toFile())
                            .start();
            assertTrue(c.waitFor(10, TimeUnit.MINUTES), "run.sh (cuda) finished");
            assertTrue(c.exitValue() != 0, "run.sh --device cuda without a GPU must exit non-zero");
            JsonNode r = new ObjectMapper().readTree(cudaOut.resolve("report.json").toFile());
            assertFalse(r.path("ok").asBoolean(), r.toPrettyString());
            assertFalse(
                    r.path("environment").path("cuda_available").asBoolean(true),
                    r.path("environment").toPrettyString());
            assertTrue(
                    r.path("environment").path("cublas").asText().startsWith("unavailable"),
                    r.path("environment").toPrettyString());
        }
    }
}
