package io.streambert.gpu;

import io.streambert.gpu.cpu.CpuEncoder;
import io.streambert.gpu.device.CudaDevice;
import io.streambert.gpu.device.DeviceException;
import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.Devices;
import io.streambert.gpu.gpu.GpuEncoder;
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
 * {@link IllegalArgumentException}; cuda without a usable GPU a {@link DeviceException} saying why.
 * {@code emulated} runs the GPU encoder over the CPU emulation of the CUDA kernels (slow; for tests and checks).
 * The system property {@code streambert.device} (same values), when set, overrides the options' device.
 */
public final class Encoders {
    private static final Logger LOG = LoggerFactory.getLogger(Encoders.class);

    private Encoders() {}

    public static Encoder open(Path dir, EncoderOptions options) {
        EncoderOptions opts = options == null ? EncoderOptions.defaults() : options;
        if (!Files.isDirectory(dir)) throw new ModelLoadException(dir + ": not a model directory");
        String forced = System.getProperty(DEVICE_PROPERTY);
        String requested = forced != null && !forced.isBlank() ? forced : opts.device();
        if (forced != null && !forced.isBlank()) LOG.info("device '{}' forced by -D{}", forced, DEVICE_PROPERTY);
        String device = requested == null ? "auto" : requested.trim().toLowerCase(Locale.ROOT);
        return switch (device) {
            case "auto" -> {
                if (CudaDevice.isAvailable()) {
                    LOG.info("device auto -> cuda: the CUDA driver reports a GPU");
                    yield openGpu(dir, opts, "cuda");
                }
                LOG.info("device auto -> cpu: {}", gpuUnusableReason());
                yield CpuEncoder.open(dir, opts);
            }
            case "cpu" -> CpuEncoder.open(dir, opts);
            case "emulated" -> openGpu(dir, opts, device);
            default -> {
                if (!device.equals("cuda") && !device.startsWith("cuda:"))
                    throw new IllegalArgumentException("unknown device '" + requested + "' (auto | cpu | cuda | cuda:N | emulated)");
                yield openGpu(dir, opts, device);
            }
        };
    }

    /** System property that overrides EncoderOptions.device (auto | cpu | cuda | cuda:N | emulated). */
    public static final String DEVICE_PROPERTY = "streambert.device";

    /** The GPU encoder over the device {@link Devices} picks for {@code device} (it logs the choice). */
    private static Encoder openGpu(Path dir, EncoderOptions opts, String device) {
        Device d;
        try {
            d = Devices.open(device);
        } catch (DeviceException e) {
            throw new DeviceException(e.getMessage() + "; use --device cpu, auto or emulated", e);
        }
        return GpuEncoder.open(dir, opts, d);
    }

    /** Why auto does not pick a GPU. */
    private static String gpuUnusableReason() {
        if (!Files.exists(Path.of("/proc/driver/nvidia/version")) && !Files.exists(Path.of("/dev/nvidia0"))) {
            return "no NVIDIA GPU or CUDA driver found (/proc/driver/nvidia/version and /dev/nvidia0 absent)";
        }
        return "an NVIDIA driver is present but CUDA is not usable: " + CudaDevice.unavailableReason();
    }
}
