package io.streambert.gpu;

import io.streambert.gpu.cpu.CpuEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The provider: opens the model in {@code dir} on the device {@link EncoderOptions#device()} asks for
 * (auto: cuda when a GPU is usable, else cpu), logs the choice, and returns the {@link Encoder}.
 *
 * <p>Errors: a bad model directory is a {@link ModelLoadException}; an unknown device name an
 * {@link IllegalArgumentException}; cuda / emulated an {@link UnsupportedOperationException} until the GPU
 * encoder exists (a later issue plugs it in at {@link #openGpu}).
 */
public final class Encoders {
    private static final Logger LOG = LoggerFactory.getLogger(Encoders.class);

    private Encoders() {}

    public static Encoder open(Path dir, EncoderOptions options) {
        EncoderOptions opts = options == null ? EncoderOptions.defaults() : options;
        if (!Files.isDirectory(dir)) throw new ModelLoadException(dir + ": not a model directory");
        String device = opts.device() == null ? "auto" : opts.device().trim().toLowerCase(Locale.ROOT);
        return switch (device) {
            case "auto" -> {
                LOG.info("device auto -> cpu: {}", gpuUnusableReason());
                yield CpuEncoder.open(dir, opts);
            }
            case "cpu" -> CpuEncoder.open(dir, opts);
            case "cuda", "emulated" -> openGpu(dir, opts, device);
            default -> throw new IllegalArgumentException("unknown device '" + opts.device() + "' (auto | cpu | cuda | emulated)");
        };
    }

    private static Encoder openGpu(Path dir, EncoderOptions opts, String device) {
        throw new UnsupportedOperationException("device '" + device + "' is not available yet: the GPU encoder is not built;"
                + " use --device cpu (or auto)");
    }

    /** Why auto does not pick a GPU; the GPU encoder is not built yet, so there is always a reason. */
    private static String gpuUnusableReason() {
        if (!Files.exists(Path.of("/proc/driver/nvidia/version")) && !Files.exists(Path.of("/dev/nvidia0"))) {
            return "no NVIDIA GPU or CUDA driver found (/proc/driver/nvidia/version and /dev/nvidia0 absent)";
        }
        return "an NVIDIA driver is present but the GPU encoder is not built yet";
    }
}
