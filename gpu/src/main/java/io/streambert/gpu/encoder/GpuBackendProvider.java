package io.streambert.gpu.encoder;

import io.streambert.engine.BackendProvider;
import io.streambert.engine.DeviceSpec;
import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import io.streambert.gpu.device.CudaDevice;
import io.streambert.gpu.device.Device;
import io.streambert.engine.DeviceException;
import io.streambert.gpu.device.Devices;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/** The GPU encoder's backend for {@link io.streambert.engine.Encoders}: a CUDA GPU, or the emulation of one. */
public final class GpuBackendProvider implements BackendProvider {
    @Override
    public Set<DeviceSpec.Kind> kinds() {
        return Set.of(DeviceSpec.Kind.CUDA, DeviceSpec.Kind.EMULATED);
    }

    @Override
    public Optional<String> unusableReason(DeviceSpec.Kind kind) {
        if (kind != DeviceSpec.Kind.CUDA || CudaDevice.isAvailable()) return Optional.empty();
        if (!Files.exists(Path.of("/proc/driver/nvidia/version")) && !Files.exists(Path.of("/dev/nvidia0"))) {
            return Optional.of("no NVIDIA GPU or CUDA driver found (/proc/driver/nvidia/version and /dev/nvidia0 absent)");
        }
        return Optional.of("an NVIDIA driver is present but CUDA is not usable: " + CudaDevice.unavailableReason());
    }

    @Override
    public Encoder open(Path dir, EncoderOptions options, DeviceSpec device) {
        Device d;
        try {
            d = Devices.open(device.toString());
        } catch (DeviceException e) {
            throw new DeviceException(e.getMessage() + "; use --device cpu, auto or emulated", e);
        }
        return GpuEncoder.open(dir, options, d);
    }
}
