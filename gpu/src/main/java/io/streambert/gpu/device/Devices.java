package io.streambert.gpu.device;

import io.streambert.engine.DeviceException;
import io.streambert.engine.DeviceSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the {@link Device} a {@link DeviceSpec} names: {@code cuda}/{@code cuda:N}, that GPU or a
 * {@link DeviceException} saying why not; {@code emulated}, the CPU emulation even when a GPU
 * exists. The words are parsed by {@link DeviceSpec} alone, and {@code auto} and {@code cpu} are
 * resolved by {@link io.streambert.engine.Encoders} (auto: a usable GPU, else the CPU backend), so
 * they are not devices here.
 */
public final class Devices {
    private static final Logger log = LoggerFactory.getLogger(Devices.class);

    private Devices() {}

    public static Device open(DeviceSpec spec) {
        switch (spec.kind()) {
            case EMULATED -> {
                log.info("device: emulated: CUDA kernels compiled with g++, run on the CPU");
                return new EmulatedDevice();
            }
            case CUDA -> {
                CudaDevice d = CudaDevice.open(spec.ordinal());
                log.info("device: {} (asked for {})", d.name(), spec);
                return d;
            }
            default ->
                    throw new IllegalArgumentException(
                            "device '"
                                    + spec
                                    + "' is not a GPU device (cuda, cuda:N or emulated);"
                                    + " Encoders resolves auto and cpu");
        }
    }
}
