package io.streambert.gpu.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ptxas -v figures the build recorded (target/ptxas-report.tsv, written by
 * src/build/native-build.sh): no kernel may spill registers to local memory or need more static
 * shared memory than a block may have without opting in (48 KiB), on any target; and the fatbin and
 * the emulation library hold the same kernels. Skipped, saying so, only when the build had no nvcc.
 */
class PtxasReportTest {
    static final Path REPORT =
            Path.of(System.getProperty("streambert.ptxasReport", "target/ptxas-report.tsv"));
    static final List<String> ARCHS = List.of("sm_80", "sm_86", "sm_89", "sm_90");
    static final int STATIC_SMEM_LIMIT = 48 * 1024;

    record Row(
            String kernel,
            String arch,
            int registers,
            int stack,
            int spillStores,
            int spillLoads,
            int staticSmem,
            String file) {}

    static List<Row> rows;
    static String noNvcc; // why every check is skipped, or null

    @BeforeEach
    void needsNvcc() {
        Assumptions.assumeTrue(noNvcc == null, noNvcc);
    }

    @BeforeAll
    static void read() throws IOException {
        assertTrue(
                Files.exists(REPORT),
                REPORT + " is missing: the Maven build (phase compile) writes it");
        List<String> lines = Files.readAllLines(REPORT);
        rows = new ArrayList<>();
        if (!lines.isEmpty() && lines.getFirst().startsWith("# nvcc not found")) {
            noNvcc =
                    "nvcc was not available at build time, so the GPU kernels were not compiled: "
                            + lines.getFirst();
            return;
        }
        for (String line : lines) {
            if (line.startsWith("#") || line.startsWith("kernel\t") || line.isBlank()) continue;
            String[] f = line.split("\t", -1);
            if (f.length != 8) fail("malformed report line in " + REPORT + ": " + line);
            rows.add(
                    new Row(
                            f[0],
                            f[1],
                            Integer.parseInt(f[2]),
                            Integer.parseInt(f[3]),
                            Integer.parseInt(f[4]),
                            Integer.parseInt(f[5]),
                            Integer.parseInt(f[6]),
                            f[7]));
        }
        assertFalse(rows.isEmpty(), REPORT + " lists no kernels");
    }

    @Test
    void noKernelSpillsOnAnyTarget() {
        List<String> spilling =
                rows.stream()
                        .filter(r -> r.spillStores() > 0 || r.spillLoads() > 0)
                        .map(
                                r ->
                                        r.kernel()
                                                + " on "
                                                + r.arch()
                                                + " ("
                                                + r.file()
                                                + "): "
                                                + r.registers()
                                                + " registers, "
                                                + r.spillStores()
                                                + " B spill stores, "
                                                + r.spillLoads()
                                                + " B spill loads")
                        .toList();
        assertTrue(spilling.isEmpty(), "kernels spilling to local memory: " + spilling);
    }

    @Test
    void staticSharedMemoryFitsWithoutOptIn() {
        List<String> big =
                rows.stream()
                        .filter(r -> r.staticSmem() > STATIC_SMEM_LIMIT)
                        .map(
                                r ->
                                        r.kernel()
                                                + " on "
                                                + r.arch()
                                                + ": "
                                                + r.staticSmem()
                                                + " B static shared memory")
                        .toList();
        assertTrue(big.isEmpty(), "static shared memory above " + STATIC_SMEM_LIMIT + " B: " + big);
    }

    @Test
    void everyKernelIsBuiltForEveryTarget() {
        for (String kernel : rows.stream().map(Row::kernel).distinct().toList()) {
            Set<String> archs = new TreeSet<>();
            rows.stream().filter(r -> r.kernel().equals(kernel)).forEach(r -> archs.add(r.arch()));
            assertEquals(new TreeSet<>(ARCHS), archs, "targets of " + kernel);
        }
    }

    @Test
    void everyCudaSourceHasAFatbinOnTheClasspath() throws IOException {
        Set<String> sources = new TreeSet<>();
        try (var files = Files.list(Path.of("src/main/cuda"))) {
            files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".cu"))
                    .forEach(n -> sources.add(n.substring(0, n.length() - 3) + ".fatbin"));
        }
        Path dir = Path.of("target/classes/cuda");
        Set<String> listed =
                new TreeSet<>(
                        Files.readAllLines(dir.resolve("fatbins.txt")).stream()
                                .filter(l -> !l.isBlank())
                                .toList());
        assertEquals(sources, listed, "cuda/fatbins.txt vs. src/main/cuda/*.cu");
        for (String fatbin : listed) {
            byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(dir.resolve(fatbin)), 4);
            // the fatbin container's magic number 0xBA55ED50, little-endian
            assertArrayEquals(
                    new byte[] {0x50, (byte) 0xed, 0x55, (byte) 0xba},
                    head,
                    fatbin + " is not a fatbin");
        }
    }

    @Test
    void fatbinAndEmulationHoldTheSameKernels() {
        Set<String> gpu = new TreeSet<>(rows.stream().map(Row::kernel).toList());
        Set<String> emulated = new TreeSet<>(new EmulatedDevice().mainKernelNames());
        assertEquals(
                gpu,
                emulated,
                "kernels in the fatbins vs. kernels registered (SB_REGISTER_KERNEL) in the emulation library");
    }
}
