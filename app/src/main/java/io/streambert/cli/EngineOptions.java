package io.streambert.cli;

import io.streambert.engine.DeviceSpec;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.cpu.CpuParallel;
import io.streambert.engine.cpu.Precision;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every command that runs the engine shares ({@code infer}, {@code bench}): one picocli
 * mixin, so they are spelled, defaulted and checked once (--precision included). {@code --device}
 * is parsed by {@link DeviceSpec}, the one place that gives the device words their meaning.
 */
final class EngineOptions {

    @Option(
            names = "--model",
            required = true,
            description = "Model directory (Hugging Face layout).")
    Path model;

    @Option(
            names = "--device",
            defaultValue = "auto",
            description =
                    DeviceSpec.CHOICES
                            + ": auto picks a usable GPU, else the CPU (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(
            names = "--batch-tokens",
            defaultValue = "" + TokenBatches.DEFAULT_BUDGET,
            description = "Token budget per batch (default: ${DEFAULT-VALUE}).")
    int batchTokens;

    @Option(
            names = "--threads",
            defaultValue = "0",
            description = "CPU threads; 0 = all cores (at most " + CpuParallel.MAX_THREADS + ").")
    int threads;

    @Option(
            names = "--precision",
            defaultValue = "fp32",
            description =
                    "fp32 | bf16 | int8 | auto: the CPU encoder's matrix products "
                            + "(bf16/int8 need AVX512-BF16/AVX512-VNNI, else fp32 runs and the log says why; auto: the fastest that meets the bar on "
                            + "the model's precision-check.jsonl) (default: ${DEFAULT-VALUE}).")
    String precision;

    /**
     * Checks the values (a bad --device or --batch-tokens is an IllegalArgumentException naming
     * it).
     */
    void check() {
        if (batchTokens < 1)
            throw new IllegalArgumentException(
                    "--batch-tokens must be at least 1, got " + batchTokens);
        CpuParallel.checkThreads(threads, "--threads");
        try {
            DeviceSpec.parse(device);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--device: " + e.getMessage(), e);
        }
        try {
            Precision.parse(precision);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--precision: " + e.getMessage(), e);
        }
    }

    /** Sets the process's CPU threads and returns the encoder options for these values. */
    EncoderOptions encoderOptions() {
        CpuParallel.setThreads(threads);
        return EncoderOptions.defaults()
                .withDevice(device)
                .withThreads(threads)
                .withPrecision(precision);
    }
}
