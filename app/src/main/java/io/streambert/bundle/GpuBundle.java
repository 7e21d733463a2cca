package io.streambert.bundle;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Builds the GPU acceptance bundle: a folder that runs the kernel sweeps, the encoder goldens, the
 * GEMM comparison, per-kernel forward times and the bench on a GPU machine that has a CUDA driver
 * and nothing else of ours (no Java, no Maven, no network):
 *
 * <ul>
 *   <li>{@code runtime.tar.xz}: a jlink runtime of the running JDK with only the modules the engine
 *       and the tests use (unpacked by run.sh into a temporary folder);
 *   <li>{@code lib/}: module gpu's jar, its test jar (the sweeps, the references, the acceptance
 *       runner) and its test class path, native parts cut to linux-x86_64 (DJL tokenizers) and to
 *       the driver binding (JCuda);
 *   <li>{@code data/}: the golden sets and kernel vectors, and the bench workloads, as files (the
 *       tests read them as files; run.sh puts data/ on the class path), taken out of the test jars;
 *   <li>{@code run.sh}.
 * </ul>
 *
 * Input: the folder module gpu's build fills ({@code gpu/target/bundle-lib}) plus gpu's two jars
 * beside it.
 */
public final class GpuBundle {
    /**
     * The most the bundle may weigh: a GPU run carries at most 64 MiB along, the rest is room for
     * its output.
     */
    public static final long MAX_BYTES = 45L * 1024 * 1024;

    static final String MODULES =
            "java.base,java.logging,java.management,jdk.incubator.vector,jdk.unsupported";

    private GpuBundle() {}

    /**
     * Builds the bundle in {@code out} (created; must be empty or an earlier bundle) from module
     * gpu's target folder.
     */
    public static long build(Path gpuTarget, Path out, PrintWriter log)
            throws IOException, InterruptedException {
        Path lib = gpuTarget.resolve("bundle-lib");
        List<Path> gpuJars;
        try (Stream<Path> s = Files.list(gpuTarget)) {
            gpuJars =
                    s.filter(p -> p.getFileName().toString().matches("streambert-gpu-.*\\.jar"))
                            .sorted()
                            .toList();
        }
        if (!Files.isDirectory(lib) || gpuJars.size() != 2)
            throw new IllegalStateException(
                    gpuTarget
                            + " lacks bundle-lib/ or the gpu jar and test jar: build module gpu first "
                            + "(bin/mvn -pl gpu -am package -DskipTests; bin/streambert gpu-bundle does this itself)");
        prepare(out);
        Path outLib = Files.createDirectories(out.resolve("lib"));
        List<Path> inputs = new ArrayList<>(gpuJars);
        try (Stream<Path> s = Files.list(lib)) {
            inputs.addAll(s.filter(p -> p.toString().endsWith(".jar")).sorted().toList());
        }
        for (Path jar : inputs) {
            String name = jar.getFileName().toString();
            Path dst = outLib.resolve(name);
            if (name.startsWith("tokenizers-")) {
                filter(
                        jar,
                        dst,
                        e ->
                                !e.startsWith("native/lib/")
                                        || e.startsWith("native/lib/linux-x86_64/")
                                        || e.substring("native/lib/".length()).indexOf('/') < 0);
            } else if (name.startsWith("jcuda-natives-")) {
                filter(
                        jar,
                        dst,
                        e ->
                                !e.startsWith("lib/")
                                        || e.equals("lib/")
                                        || e.startsWith("lib/libJCudaDriver-"));
            } else if (name.matches("streambert-.*-tests\\.jar")) {
                // Test data the tests read as files (TestModels.resource): out of the jars, into
                // data/ on the class path.
                extract(
                        jar,
                        out.resolve("data"),
                        e -> e.startsWith("golden/") || e.startsWith("bench/"));
                filter(jar, dst, e -> !e.startsWith("golden/") && !e.startsWith("bench/"));
            } else {
                Files.copy(jar, dst, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        log.println(
                "lib/: "
                        + inputs.size()
                        + " jars, "
                        + mib(size(outLib))
                        + "; data/ (golden sets, kernel vectors, bench workloads): "
                        + mib(
                                Files.isDirectory(out.resolve("data"))
                                        ? size(out.resolve("data"))
                                        : 0));
        if (!Files.isDirectory(out.resolve("data/golden/tiny-a"))
                || !Files.isDirectory(out.resolve("data/golden/kernels")))
            throw new IllegalStateException(
                    "no golden sets in the test jars of " + gpuTarget + " and its class path");
        runtime(out, log);
        try (InputStream in = GpuBundle.class.getResourceAsStream("run.sh")) {
            Files.copy(in, out.resolve("run.sh"));
        }
        Files.setPosixFilePermissions(
                out.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(
                out.resolve("README.txt"),
                """
                StreamBERT GPU acceptance bundle. On a Linux x86-64 machine with an NVIDIA driver (CUDA 12 or 13):
                    ./run.sh OUTDIR                      # everything, on GPU 0; at most 8 minutes on an H100
                    ./run.sh --device emulated OUTDIR    # the same tests on the CPU emulation of the kernels (no bench)
                OUTDIR/report.json holds every step's outcome and figures, OUTDIR/run.log the full output.
                Exit status 0 only when every step passed. See docs/GPU.md in the repository.
                """);
        long total = size(out);
        log.println("bundle " + out + ": " + mib(total) + " (limit " + mib(MAX_BYTES) + ")");
        if (total > MAX_BYTES)
            throw new IllegalStateException(
                    "the bundle is " + mib(total) + ", over its limit of " + mib(MAX_BYTES));
        return total;
    }

    private static void prepare(Path out) throws IOException {
        if (Files.exists(out)) {
            boolean empty;
            try (Stream<Path> s = Files.list(out)) {
                empty = s.findAny().isEmpty();
            }
            if (!empty && !Files.exists(out.resolve("run.sh")))
                throw new IllegalStateException(
                        out + " is neither empty nor an earlier bundle: not overwriting it");
            try (Stream<Path> s = Files.walk(out)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList())
                    if (!p.equals(out)) Files.delete(p);
            }
        }
        Files.createDirectories(out);
    }

    /**
     * A jlink image of the running JDK, stripped, packed as runtime.tar.xz (xz packs the
     * uncompressed image best).
     */
    private static void runtime(Path out, PrintWriter log)
            throws IOException, InterruptedException {
        Path tmp = Files.createTempDirectory("streambert-jlink-");
        try {
            Path image = tmp.resolve("runtime");
            ToolProvider jlink =
                    ToolProvider.findFirst("jlink")
                            .orElseThrow(
                                    () ->
                                            new IllegalStateException(
                                                    "no jlink in this Java runtime ("
                                                            + System.getProperty("java.home")
                                                            + "): run with a JDK 25"));
            StringWriter msgs = new StringWriter();
            PrintWriter pw = new PrintWriter(msgs);
            int rc =
                    jlink.run(
                            pw,
                            pw,
                            "--add-modules",
                            MODULES,
                            "--strip-debug",
                            "--no-man-pages",
                            "--no-header-files",
                            "--compress=zip-0",
                            "--output",
                            image.toString());
            if (rc != 0) throw new IllegalStateException("jlink failed (" + rc + "): " + msgs);
            for (Path so : List.of(image.resolve("lib/server/libjvm.so"))) {
                if (Files.exists(so))
                    run(List.of("strip", "--strip-unneeded", so.toString()), null, true);
            }
            log.println("runtime: jlink " + MODULES + ", " + mib(size(image)) + " unpacked");
            run(
                    List.of(
                            "tar",
                            "-cJf",
                            out.resolve("runtime.tar.xz").toString(),
                            "-C",
                            tmp.toString(),
                            "runtime"),
                    "-3 -T2",
                    false);
            log.println("runtime.tar.xz: " + mib(Files.size(out.resolve("runtime.tar.xz"))));
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static void run(List<String> cmd, String xzOpt, boolean optional)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (xzOpt != null) pb.environment().put("XZ_OPT", xzOpt);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            if (optional) return;
            throw e;
        }
        String text = new String(p.getInputStream().readAllBytes(), UTF_8);
        if (p.waitFor() != 0 && !optional)
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + text);
    }

    interface Keep {
        boolean test(String entry);
    }

    /**
     * Writes the files of a jar that {@code keep} accepts under {@code dir}, keeping their paths.
     */
    static void extract(Path jar, Path dir, Keep keep) throws IOException {
        try (ZipFile in = new ZipFile(jar.toFile())) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                if (e.isDirectory() || !keep.test(e.getName())) continue;
                Path f = dir.resolve(e.getName()).normalize();
                if (!f.startsWith(dir))
                    throw new IOException(jar + ": entry " + e.getName() + " escapes " + dir);
                Files.createDirectories(f.getParent());
                try (InputStream is = in.getInputStream(e)) {
                    Files.copy(is, f, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Copies a jar keeping only the entries {@code keep} accepts. */
    static void filter(Path from, Path to, Keep keep) throws IOException {
        try (ZipFile in = new ZipFile(from.toFile());
                OutputStream os = Files.newOutputStream(to);
                ZipOutputStream zos = new ZipOutputStream(os)) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                if (!keep.test(e.getName())) continue;
                zos.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream is = in.getInputStream(e)) {
                    is.transferTo(zos);
                }
                zos.closeEntry();
            }
        }
    }

    static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .mapToLong(
                            p -> {
                                try {
                                    return Files.size(p);
                                } catch (IOException e) {
                                    throw new java.io.UncheckedIOException(e);
                                }
                            })
                    .sum();
        }
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
