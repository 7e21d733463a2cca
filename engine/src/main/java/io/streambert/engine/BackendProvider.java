package io.streambert.engine;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * A backend that {@link Encoders} can open, found with {@link java.util.ServiceLoader}: the CPU
 * backend in this module, the CUDA/emulated backend in module gpu (when it is on the class path).
 */
public interface BackendProvider {

    /** The device kinds this backend runs on (never {@link DeviceSpec.Kind#AUTO}). */
    Set<DeviceSpec.Kind> kinds();

    /**
     * Empty when {@code kind} can be used here, else why not. {@code auto} asks this of {@link
     * DeviceSpec.Kind#CUDA} before choosing it; it must not throw.
     */
    Optional<String> unusableReason(DeviceSpec.Kind kind);

    /** Opens the model in {@code dir} on {@code device} (one of {@link #kinds()}). */
    Encoder open(Path dir, EncoderOptions options, DeviceSpec device);
}
