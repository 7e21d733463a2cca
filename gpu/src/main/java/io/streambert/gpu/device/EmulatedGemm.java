package io.streambert.gpu.device;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.streambert.engine.DeviceException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@link Gemm} on {@link EmulatedDevice}: calls {@code sb_emu_gemm_bf16} of the emulation library
 * (src/main/emu/sb_emu_gemm.cpp), a multi-threaded host loop standing in for cuBLAS. It is not one
 * of the kernels under test and says nothing about cuBLAS's speed; it exists so the GPU encoder
 * runs end to end without a GPU. Its mode argument: 0 fp32, 1 bf16, 2 fp32 added to C ({@link
 * Output#FP32_ADD}).
 */
public final class EmulatedGemm implements Gemm {
    private final MethodHandle gemm;
    private volatile int threads;

    public EmulatedGemm(EmulatedDevice device) {
        this.gemm =
                device.mainLibrary()
                        .function(
                                "sb_emu_gemm_bf16",
                                FunctionDescriptor.of(
                                        JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT,
                                        JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    /** Host threads per product; 0 (default) = one per core. */
    public void setThreads(int threads) {
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0: " + threads);
        this.threads = threads;
    }

    @Override
    public void run(
            DeviceBuffer a,
            DeviceBuffer w,
            DeviceBuffer bias,
            DeviceBuffer c,
            Output output,
            int rows,
            int out,
            int k) {
        Gemm.check(a, w, bias, c, output, rows, out, k);
        if (rows == 0) return;
        MemorySegment am = EmulatedDevice.memory(a, 0, "GEMM A"),
                wm = EmulatedDevice.memory(w, 0, "GEMM W");
        MemorySegment bm =
                bias == null ? MemorySegment.NULL : EmulatedDevice.memory(bias, 0, "GEMM bias");
        MemorySegment cm = EmulatedDevice.memory(c, 0, "GEMM C");
        int mode =
                switch (output) {
                    case FP32 -> 0;
                    case BF16 -> 1;
                    case FP32_ADD -> 2;
                };
        int rc;
        try {
            rc = (int) gemm.invokeExact(am, wm, bm, cm, rows, out, k, mode, threads);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new DeviceException("sb_emu_gemm_bf16 failed: " + t, t);
        }
        if (rc != 0)
            throw new DeviceException(
                    "sb_emu_gemm_bf16 rejected rows " + rows + ", out " + out + ", k " + k);
    }

    @Override
    public String toString() {
        return "host stand-in sb_emu_gemm_bf16 (emulator only)";
    }
}
