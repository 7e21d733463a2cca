package io.streambert.gpu.kernels;

import io.streambert.engine.DeviceException;
import io.streambert.gpu.device.CublasGemm;
import io.streambert.gpu.device.CublasLibrary;
import io.streambert.gpu.device.CudaDevice;
import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.EmulatedDevice;
import io.streambert.gpu.device.EmulatedGemm;
import io.streambert.gpu.device.Gemm;
import io.streambert.gpu.device.TimedDevice;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the GEMM backend for a device ({@code -Dstreambert.gemm}, default auto):
 *
 * <ul>
 *   <li>{@code auto}: on CudaDevice cuBLAS when a libcublas loads and gives a handle, else our
 *       kernel sb_gemm_bf16 ({@link TiledGemm}), the reason logged; on EmulatedDevice the host
 *       stand-in {@link EmulatedGemm}.
 *   <li>{@code cublas}: cuBLAS or an error; {@code tiled}: sb_gemm_bf16 on any device; {@code
 *       host}: the emulator's stand-in (EmulatedDevice only).
 * </ul>
 */
public final class GemmBackends {
    private static final Logger LOG = LoggerFactory.getLogger(GemmBackends.class);
    public static final String PROPERTY = "streambert.gemm";

    private GemmBackends() {}

    /** The chosen GEMM and why it was chosen. */
    public record Choice(Gemm gemm, String reason) {}

    public static Gemm open(Device device) {
        return choose(device, System.getProperty(PROPERTY, "auto")).gemm();
    }

    public static Choice choose(Device device, String choice) {
        if (device instanceof TimedDevice t) {
            Choice inner = choose(t.inner(), choice);
            return new Choice(t.timed(inner.gemm()), inner.reason());
        }
        String c = choice == null ? "auto" : choice.trim().toLowerCase(Locale.ROOT);
        Choice chosen =
                switch (c) {
                    case "tiled" ->
                            new Choice(new TiledGemm(device), "forced by " + PROPERTY + "=tiled");
                    case "host" -> {
                        if (!(device instanceof EmulatedDevice e))
                            throw new DeviceException(
                                    "the host GEMM stand-in exists only on the emulated device");
                        yield new Choice(new EmulatedGemm(e), "forced by " + PROPERTY + "=host");
                    }
                    case "cublas" -> {
                        if (!(device instanceof CudaDevice d))
                            throw new DeviceException(
                                    "cuBLAS needs a CUDA device, not " + device.name());
                        yield new Choice(
                                new CublasGemm(d, CublasLibrary.load()),
                                "forced by " + PROPERTY + "=cublas");
                    }
                    case "auto" -> auto(device);
                    default ->
                            throw new IllegalArgumentException(
                                    PROPERTY
                                            + " must be auto, cublas, tiled or host; was "
                                            + choice);
                };
        LOG.info("GEMM on {}: {} ({})", device.name(), chosen.gemm(), chosen.reason());
        return chosen;
    }

    private static Choice auto(Device device) {
        if (device instanceof EmulatedDevice e)
            return new Choice(new EmulatedGemm(e), "auto: the emulator's host stand-in");
        if (device instanceof CudaDevice d) {
            return cudaAuto(
                    device,
                    () -> {
                        CublasLibrary lib = CublasLibrary.load();
                        return new Choice(
                                new CublasGemm(d, lib),
                                "auto: " + lib.name() + " " + lib.version() + " loaded");
                    });
        }
        return new Choice(new TiledGemm(device), "auto: no library GEMM for " + device.name());
    }

    /**
     * cuBLAS from {@code cublas}, or, when it fails in any way (an Error such as
     * UnsatisfiedLinkError included), sb_gemm_bf16.
     */
    static Choice cudaAuto(Device device, Supplier<Choice> cublas) {
        try {
            return cublas.get();
        } catch (DeviceException | LinkageError e) {
            return new Choice(
                    new TiledGemm(device),
                    "auto: cuBLAS unusable (" + e.getMessage() + "), using our own kernel");
        }
    }
}
