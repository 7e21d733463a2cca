package io.streambert.engine.cpu;

import io.streambert.engine.BackendProvider;
import io.streambert.engine.DeviceSpec;
import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/** The CPU backend for {@link io.streambert.engine.Encoders}: always usable. */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public Set<DeviceSpec.Kind> kinds() {
        return Set.of(DeviceSpec.Kind.CPU);
    }

    @Override
    public Optional<String> unusableReason(DeviceSpec.Kind kind) {
        return Optional.empty();
    }

    @Override
    public Encoder open(Path dir, EncoderOptions options, DeviceSpec device) {
        return CpuBackend.open(dir, options);
    }
}
