package io.streambert.gpu.device;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The devices the kernel sweeps and the GPU encoder's tests run on: {@code
 * -Dstreambert.test.devices} (comma-separated, "emulated" and/or "cuda"; default "emulated"). Test
 * classes are parameterised by {@link #names()}. Asking for "cuda" where no GPU is usable fails
 * those tests with the reason: a run that asked for a GPU must not pass on the emulator.
 */
public final class TestDevices {
    public static final String PROPERTY = "streambert.test.devices";
    private static final Map<String, Device> SHARED = new ConcurrentHashMap<>();

    private TestDevices() {}

    public static List<String> names() {
        List<String> out = new ArrayList<>();
        for (String s : System.getProperty(PROPERTY, "emulated").split(",", -1)) {
            String n = s.trim().toLowerCase(Locale.ROOT);
            if (n.isEmpty()) continue;
            if (!n.equals("emulated") && !n.equals("cuda"))
                throw new IllegalArgumentException(
                        PROPERTY + ": unknown device '" + n + "' (emulated, cuda)");
            if (!out.contains(n)) out.add(n);
        }
        if (out.isEmpty()) out.add("emulated");
        return out;
    }

    /** A new device of that name (the caller closes it). */
    public static Device open(String name) {
        return switch (name) {
            case "emulated" -> new EmulatedDevice();
            case "cuda" -> CudaDevice.open(0);
            default -> throw new IllegalArgumentException("unknown test device " + name);
        };
    }

    /**
     * One device per name for the whole JVM (the kernel sweeps share it; never closed before exit,
     * or by {@link #reset}).
     */
    public static Device shared(String name) {
        return SHARED.computeIfAbsent(name, TestDevices::open);
    }

    /**
     * Closes the shared devices (the acceptance run, between steps with different module settings).
     */
    public static synchronized void reset() {
        for (Device d : SHARED.values()) d.close();
        SHARED.clear();
    }
}
