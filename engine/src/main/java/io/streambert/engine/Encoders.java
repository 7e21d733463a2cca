package io.streambert.engine;

import io.streambert.engine.model.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider: opens the model in {@code dir} on the device {@link EncoderOptions#device()} asks
 * for (parsed by {@link DeviceSpec}; auto: cuda when a GPU opens and passes its backend's probe,
 * else cpu, also when opening it failed with an Error), logs the choice, and returns the {@link
 * Encoder}. Backends are found with {@link ServiceLoader} ({@link BackendProvider}).
 *
 * <p>Errors: a bad model directory is a {@link ModelLoadException}; an unknown device name an
 * {@link IllegalArgumentException}; cuda without a usable GPU the backend's exception saying why.
 * {@code emulated} runs the GPU encoder over the CPU emulation of the CUDA kernels (slow; for tests
 * and checks). The system property {@code streambert.device} (same values), when set, overrides the
 * options' device.
 */
public final class Encoders {
    private static final Logger LOG = LoggerFactory.getLogger(Encoders.class);

    /**
     * System property that overrides EncoderOptions.device (auto | cpu | cuda | cuda:N | emulated).
     */
    public static final String DEVICE_PROPERTY = "streambert.device";

    private Encoders() {}

    public static Encoder open(Path dir, EncoderOptions options) {
        return open(dir, options, ServiceLoader.load(BackendProvider.class));
    }

    /**
     * {@link #open(Path, EncoderOptions)} with the backends given (tests: a failing GPU backend).
     */
    static Encoder open(Path dir, EncoderOptions options, Iterable<BackendProvider> providers) {
        EncoderOptions opts = options == null ? EncoderOptions.defaults() : options;
        if (!Files.isDirectory(dir)) throw new ModelLoadException(dir + ": not a model directory");
        String forced = System.getProperty(DEVICE_PROPERTY);
        boolean isForced = forced != null && !forced.isBlank();
        if (isForced) LOG.info("device '{}' forced by -D{}", forced, DEVICE_PROPERTY);
        DeviceSpec device = DeviceSpec.parse(isForced ? forced : opts.device());
        if (device.kind() == DeviceSpec.Kind.AUTO) {
            Optional<String> whyNot = unusableReason(DeviceSpec.Kind.CUDA, providers);
            if (whyNot.isEmpty()) {
                // The backend probes the GPU (open, a test launch, a test product) before it
                // returns an encoder. Any
                // failure, Errors included (a missing native library is an UnsatisfiedLinkError),
                // means the CPU.
                try {
                    Encoder gpu =
                            provider(DeviceSpec.Kind.CUDA, providers)
                                    .open(dir, opts, DeviceSpec.cuda(0));
                    LOG.info("device auto -> cuda: {}", gpu.info().device());
                    return gpu;
                } catch (RuntimeException | Error e) {
                    LOG.warn("device auto -> cpu: the GPU did not open: {}", e.toString());
                }
            } else {
                LOG.info("device auto -> cpu: {}", whyNot.get());
            }
            device = DeviceSpec.CPU;
        }
        return provider(device.kind(), providers).open(dir, opts, device);
    }

    /**
     * Empty when {@code kind} is usable here, else why not (including: no backend for it on the
     * class path).
     */
    public static Optional<String> unusableReason(DeviceSpec.Kind kind) {
        return unusableReason(kind, ServiceLoader.load(BackendProvider.class));
    }

    private static Optional<String> unusableReason(
            DeviceSpec.Kind kind, Iterable<BackendProvider> providers) {
        for (BackendProvider p : providers) {
            if (p.kinds().contains(kind)) return p.unusableReason(kind);
        }
        return Optional.of(
                "no " + kind.word() + " backend on the class path (module streambert-gpu)");
    }

    private static BackendProvider provider(
            DeviceSpec.Kind kind, Iterable<BackendProvider> providers) {
        for (BackendProvider p : providers) {
            if (p.kinds().contains(kind)) return p;
        }
        throw new IllegalArgumentException(
                "device " + kind.word() + " needs module streambert-gpu on the class path");
    }
}
