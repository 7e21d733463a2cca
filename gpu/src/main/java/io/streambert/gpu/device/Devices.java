package io.streambert.gpu.device;

import io.streambert.engine.DeviceSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the device a {@link DeviceSpec} names (the one parse of {@code --device} is DeviceSpec's): {@code emulated}
 * -> {@link EmulatedDevice}; {@code cuda:N} -> {@link CudaDevice} N, or a DeviceException saying why not. {@code auto}
 * and {@code cpu} are not devices: {@code io.streambert.engine.Encoders} decides them (auto probes the GPU through
 * {@code kernels.DeviceProbe} and falls back to the CPU).
 */
public final class Devices {
    private static final Logger log = LoggerFactory.getLogger(Devices.class);

    private Devices() {}

    public static Device open(DeviceSpec spec) {
        return switch (spec.kind()) {
            case EMULATED -> {
                log.info("device: emulated: CUDA kernels compiled with g++, run on the CPU");
                yield new EmulatedDevice();
            }
            case CUDA -> {
                CudaDevice d = CudaDevice.open(spec.ordinal());
                log.info("device: {}", d.name());
                yield d;
            }
            case AUTO, CPU -> throw new IllegalArgumentException("'" + spec + "' is not a GPU device (emulated, cuda, cuda:N)");
        };
    }
}
