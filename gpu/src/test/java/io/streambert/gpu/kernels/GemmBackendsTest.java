package io.streambert.gpu.kernels;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.DeviceException;
import io.streambert.gpu.device.EmulatedGemm;
import org.junit.jupiter.api.Test;

/**
 * The GEMM backend choice, incl. what auto does on a CUDA device when cuBLAS does not load (an
 * Error included).
 */
class GemmBackendsTest {
    @Test
    void choices() {
        var dev = new io.streambert.gpu.device.EmulatedDevice();
        assertInstanceOf(EmulatedGemm.class, GemmBackends.choose(dev, "auto").gemm());
        assertInstanceOf(TiledGemm.class, GemmBackends.choose(dev, "tiled").gemm());
        assertInstanceOf(EmulatedGemm.class, GemmBackends.choose(dev, "host").gemm());
        DeviceException e =
                assertThrows(DeviceException.class, () -> GemmBackends.choose(dev, "cublas"));
        assertTrue(e.getMessage().contains("needs a CUDA device"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GemmBackends.choose(dev, "magic"));
    }

    @Test
    void absentCublasFallsBackToTheOwnKernelWithTheReason() {
        var dev = new io.streambert.gpu.device.EmulatedDevice();
        var c =
                GemmBackends.cudaAuto(
                        dev,
                        () -> {
                            throw new UnsatisfiedLinkError(
                                    "libcublas.so.12: cannot open shared object file");
                        });
        assertInstanceOf(TiledGemm.class, c.gemm());
        assertTrue(
                c.reason().contains("cuBLAS unusable") && c.reason().contains("libcublas.so.12"),
                c.reason());
        var d =
                GemmBackends.cudaAuto(
                        dev,
                        () -> {
                            throw new DeviceException(
                                    "no cuBLAS library loads: tried libcublas.so.13 (x), libcublas.so.12 (y)");
                        });
        assertInstanceOf(TiledGemm.class, d.gemm());
        assertTrue(d.reason().contains("libcublas.so.13"), d.reason());
    }
}
