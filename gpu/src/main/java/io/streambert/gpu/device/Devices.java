package io.streambert.gpu.device;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the backend. {@code "auto"}: the first CUDA GPU if the driver reports one, else the CPU emulation;
 * {@code "cuda"} or {@code "cuda:N"}: that GPU or an error saying why not; {@code "emulated"}: the emulation even
 * when a GPU exists. The choice and its reason are logged.
 */
public final class Devices {
    private static final Logger log = LoggerFactory.getLogger(Devices.class);

    private Devices() {}

    public static Device open(String choice) {
        String c = choice == null ? "" : choice.trim().toLowerCase();
        if (c.equals("emulated")) {
            log.info("device: emulated (forced by '{}'): CUDA kernels compiled with g++, run on the CPU", choice);
            return new EmulatedDevice();
        }
        if (c.equals("cuda") || c.startsWith("cuda:")) {
            int ordinal = ordinal(c, choice);
            CudaDevice d = CudaDevice.open(ordinal);
            log.info("device: {} (forced by '{}')", d.name(), choice);
            return d;
        }
        if (c.equals("auto")) {
            if (CudaDevice.isAvailable()) {
                CudaDevice d = CudaDevice.open(0);
                log.info("device: {} (auto: the CUDA driver reports a GPU)", d.name());
                return d;
            }
            log.info("device: emulated (auto: no usable GPU, {})", CudaDevice.unavailableReason());
            return new EmulatedDevice();
        }
        throw new IllegalArgumentException("unknown device '" + choice + "': use auto, cuda, cuda:N or emulated");
    }

    private static int ordinal(String c, String choice) {
        if (c.equals("cuda")) return 0;
        try {
            int n = Integer.parseInt(c.substring("cuda:".length()));
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad device '" + choice + "': cuda:N needs a GPU number N >= 0");
        }
    }
}
