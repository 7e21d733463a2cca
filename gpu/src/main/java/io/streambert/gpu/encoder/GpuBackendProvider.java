package io.streambert.gpu.encoder;

import io.streambert.engine.BackendProvider;
import io.streambert.engine.DeviceException;
import io.streambert.engine.DeviceSpec;
import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import io.streambert.gpu.device.CudaDevice;
import io.streambert.gpu.device.Devices;
import io.streambert.gpu.kernels.DeviceProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GPU encoder's backend for {@link io.streambert.engine.Encoders}: a CUDA GPU, or the emulation
 * of one.
 */
public final class GpuBackendProvider implements BackendProvider {
    private static final Logger LOG = LoggerFactory.getLogger(GpuBackendProvider.class);

    @Override
    public Set<DeviceSpec.Kind> kinds() {
        return Set.of(DeviceSpec.Kind.CUDA, DeviceSpec.Kind.EMULATED);
    }

    @Override
    public Optional<String> unusableReason(DeviceSpec.Kind kind) {
        try {
            if (kind != DeviceSpec.Kind.CUDA || CudaDevice.isAvailable()) return Optional.empty();
        } catch (RuntimeException | Error e) {
            return Optional.of("probing the CUDA driver failed: " + e);
        }
        if (!Files.exists(Path.of("/proc/driver/nvidia/version"))
                && !Files.exists(Path.of("/dev/nvidia0"))) {
            return Optional.of(
                    "no NVIDIA GPU or CUDA driver found (/proc/driver/nvidia/version and /dev/nvidia0 absent)");
        }
        return Optional.of(
                "an NVIDIA driver is present but CUDA is not usable: "
                        + CudaDevice.unavailableReason());
    }

    @Override
    public Encoder open(Path dir, EncoderOptions options, DeviceSpec device) {
        if (device.kind() == DeviceSpec.Kind.EMULATED)
            return GpuBackend.open(dir, options, Devices.open(device));
        // A CUDA device is used only after DeviceProbe saw it open, run a test launch and a test
        // product on its GEMM
        // backend; otherwise this fails with the probe's reason (and auto falls back to the CPU).
        DeviceProbe.Result probe = DeviceProbe.cuda(device.ordinal());
        if (!probe.usable())
            throw new DeviceException(
                    device
                            + " is not available: "
                            + probe.failure()
                            + "; use --device cpu, auto or emulated");
        LOG.info(
                "{} passed the probe (test launch, test product); GEMM: {} ({})",
                probe.device().name(),
                probe.gemm(),
                probe.gemmReason());
        return GpuBackend.open(dir, options, probe.device(), probe.gemm());
    }
}
