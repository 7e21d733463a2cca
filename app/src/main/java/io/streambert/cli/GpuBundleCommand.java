package io.streambert.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.streambert.bundle.GpuBundle;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "gpu-bundle",
        mixinStandardHelpOptions = true,
        description =
                "Build the GPU acceptance bundle (<= 45 MiB): a Java runtime, the engine and its tests, the golden "
                        + "sets and run.sh. On a GPU machine: DIR/run.sh OUTDIR. See docs/GPU.md.")
final class GpuBundleCommand implements Callable<Integer> {
    @Option(
            names = "--out",
            required = true,
            description = "Folder to write (created; emptied if it holds an earlier bundle).")
    Path out;

    @Option(
            names = "--gpu-target",
            description =
                    "Module gpu's target folder (default: found from this application's jar).")
    Path gpuTarget;

    @Override
    public Integer call() throws Exception {
        Path target = gpuTarget != null ? gpuTarget : defaultGpuTarget();
        PrintWriter log = new PrintWriter(System.out, true, UTF_8);
        GpuBundle.build(target, out, log);
        log.println(
                "run it on a GPU machine: "
                        + out.resolve("run.sh")
                        + " OUTDIR   (or --device emulated here)");
        return 0;
    }

    /** app/target/streambert.jar -> gpu/target (bin/streambert runs from the repository). */
    private static Path defaultGpuTarget() throws Exception {
        Path jar =
                Path.of(
                        GpuBundleCommand.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        Path candidate = jar.getParent().getParent().getParent().resolve("gpu").resolve("target");
        if (!Files.isDirectory(candidate))
            throw new IllegalArgumentException(
                    "cannot find module gpu's target folder next to "
                            + jar
                            + "; give --gpu-target");
        return candidate;
    }
}
