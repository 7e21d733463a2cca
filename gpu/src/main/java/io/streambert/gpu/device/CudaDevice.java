package io.streambert.gpu.device;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import io.streambert.engine.DeviceException;
import io.streambert.engine.model.Bf16;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * A real GPU through the JCuda driver API, in the device's primary context
 * (cuDevicePrimaryCtxRetain, the one the CUDA runtime and so cuBLAS use). Kernels: the fatbins the
 * build compiled with nvcc (classpath /cuda/*.fatbin, listed in /cuda/fatbins.txt, one per .cu
 * file); a fatbin the driver refuses is replaced by its bundled source compiled with NVRTC for this
 * device ({@link ModuleImages}). Launches are asynchronous on the default stream; {@link
 * #synchronize} waits and reports errors. A sticky error (illegal address, launch failure, ...)
 * marks the device lost: every later call throws {@link DeviceLostException}.
 *
 * <p>Never run in this project's CI (no GPU there): {@link #isAvailable} is false and says why.
 */
public final class CudaDevice implements Device {
    /**
     * Dynamic shared memory above this needs an explicit opt-in per kernel (cuFuncSetAttribute).
     */
    private static final int DEFAULT_DYNAMIC_SHARED_LIMIT = 48 * 1024;

    /**
     * CUresult names after which the context is unusable (CUDA driver API documentation, "sticky"
     * errors).
     */
    private static final Set<String> STICKY =
            Set.of(
                    "CUDA_ERROR_ILLEGAL_ADDRESS",
                    "CUDA_ERROR_LAUNCH_FAILED",
                    "CUDA_ERROR_HARDWARE_STACK_ERROR",
                    "CUDA_ERROR_ILLEGAL_INSTRUCTION",
                    "CUDA_ERROR_MISALIGNED_ADDRESS",
                    "CUDA_ERROR_INVALID_ADDRESS_SPACE",
                    "CUDA_ERROR_INVALID_PC",
                    "CUDA_ERROR_ASSERT",
                    "CUDA_ERROR_LAUNCH_TIMEOUT",
                    "CUDA_ERROR_ECC_UNCORRECTABLE",
                    "CUDA_ERROR_CONTEXT_IS_DESTROYED",
                    "CUDA_ERROR_DEINITIALIZED");

    private final int ordinal;
    private final String deviceName;
    private final CUdevice cuDevice = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final int ccMajor, ccMinor, driverVersion;
    private final List<CUmodule> modules = new ArrayList<>();
    private final List<String> moduleOrigins = new ArrayList<>();
    private volatile String lost; // the sticky error that made the device unusable, or null
    private final Map<String, CUfunction> functions = new ConcurrentHashMap<>();
    private final Map<String, Integer> sharedOptIn = new ConcurrentHashMap<>();

    private static Boolean available; // probed once: a driver does not appear while the JVM runs
    private static String unavailableReason;

    /** True when the CUDA driver loads and reports at least one device; never throws. */
    public static synchronized boolean isAvailable() {
        if (available == null) {
            unavailableReason = probe();
            available = unavailableReason == null;
        }
        return available;
    }

    private static String probe() {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
            int[] count = {0};
            cuDeviceGetCount(count);
            return count[0] == 0 ? "the CUDA driver reports no devices" : null;
        } catch (CudaException e) {
            return "the CUDA driver failed: " + firstLine(e.getMessage());
        } catch (LinkageError e) {
            return "no CUDA driver library (JCuda could not load its native part or libcuda): "
                    + firstLine(e.getMessage());
        } catch (RuntimeException | Error e) {
            return "CUDA initialisation failed: " + e;
        }
    }

    /** JCuda's load errors carry whole nested stack traces; the first line says what failed. */
    private static String firstLine(String s) {
        if (s == null) return "(no message)";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * Why {@link #isAvailable} returned false (null before it was called or when it returned true).
     */
    public static synchronized String unavailableReason() {
        return unavailableReason;
    }

    /** Opens GPU {@code ordinal}, creates a context and loads every fatbin of the classpath. */
    public static CudaDevice open(int ordinal) {
        if (!isAvailable())
            throw new DeviceException(
                    "cuda:" + ordinal + " is not available: " + unavailableReason);
        return new CudaDevice(ordinal);
    }

    private CudaDevice(int ordinal) {
        this.ordinal = ordinal;
        boolean retained = false;
        try {
            cuDeviceGet(cuDevice, ordinal);
            byte[] name = new byte[256];
            cuDeviceGetName(name, name.length, cuDevice);
            this.deviceName = new String(name, StandardCharsets.US_ASCII).trim().replace("\0", "");
            this.ccMajor =
                    attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
            this.ccMinor =
                    attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
            int[] v = {0};
            cuDriverGetVersion(v);
            this.driverVersion = v[0];
            cuDevicePrimaryCtxRetain(context, cuDevice);
            retained = true;
            cuCtxSetCurrent(context);
            ModuleImages<CUmodule> images =
                    new ModuleImages<>(
                            CudaDevice::loadModule,
                            NvrtcLibrary::load,
                            KernelSources::bundled,
                            CubinCache.fromConfiguration(),
                            ccMajor,
                            ccMinor,
                            driverVersion);
            for (ModuleImages.Loaded<CUmodule> m :
                    images.loadAll(
                            fatbinNames(),
                            f -> resourceBytes("/cuda/" + f),
                            ModuleImages.Mode.fromConfiguration())) {
                modules.add(m.module());
                moduleOrigins.add(m.file() + ": " + m.from());
            }
        } catch (CudaException | DeviceException | IllegalArgumentException e) {
            releaseAfterFailure(retained);
            throw e instanceof CudaException
                    ? new DeviceException("cuda:" + ordinal + ": " + e.getMessage(), e)
                    : e;
        } catch (Error e) {
            releaseAfterFailure(retained);
            throw e;
        }
    }

    private int attribute(int attribute) {
        int[] v = {0};
        cuDeviceGetAttribute(v, attribute, cuDevice);
        return v[0];
    }

    private static CUmodule loadModule(String what, byte[] image) {
        CUmodule module = new CUmodule();
        try {
            cuModuleLoadData(module, image);
            return module;
        } catch (CudaException e) {
            if (String.valueOf(e.getMessage()).contains("CUDA_ERROR_OUT_OF_MEMORY")) throw e;
            throw new ModuleImages.RefusedException(
                    "cuModuleLoadData(" + what + "): " + e.getMessage(), e);
        }
    }

    /** A failed open leaves nothing behind: modules unloaded, the primary context released. */
    private void releaseAfterFailure(boolean retained) {
        try {
            for (CUmodule m : modules) cuModuleUnload(m);
        } catch (RuntimeException | Error ignored) {
            // best effort: the open already failed for a reason that is being reported
        }
        modules.clear();
        if (retained) {
            try {
                cuDevicePrimaryCtxRelease(cuDevice);
            } catch (RuntimeException | Error ignored) {
                // as above
            }
        }
    }

    /** Compute capability, e.g. 90 for an H100. */
    public int computeCapability() {
        return ccMajor * 10 + ccMinor;
    }

    /** cuDriverGetVersion, e.g. 13000 for CUDA 13.0. */
    public int driverVersion() {
        return driverVersion;
    }

    /**
     * Where each kernel file's module came from ("sb_gemm.cu: fatbin", "...: NVRTC 13.0 (...)",
     * "...: cubin cache ...").
     */
    public List<String> moduleOrigins() {
        return List.copyOf(moduleOrigins);
    }

    /** Null while usable; else the sticky error that made this device unusable. */
    public String lostReason() {
        return lost;
    }

    /** Wraps a failed driver call; a sticky error marks the device lost. */
    DeviceException failure(String what, CudaException e) {
        String m = String.valueOf(e.getMessage());
        for (String code : STICKY) {
            if (m.contains(code)) {
                lost = what + ": " + m;
                return new DeviceLostException(
                        name() + " is lost (sticky CUDA error; restart the process): " + lost, e);
            }
        }
        return new DeviceException(what + " on " + name() + ": " + m, e);
    }

    private void usable() {
        String l = lost;
        if (l != null)
            throw new DeviceLostException(
                    name() + " is lost (sticky CUDA error; restart the process): " + l, null);
    }

    private static List<String> fatbinNames() {
        try (InputStream in = CudaDevice.class.getResourceAsStream("/cuda/fatbins.txt")) {
            if (in == null)
                throw new DeviceException(
                        "no /cuda/fatbins.txt on the classpath: this build had no nvcc, so the GPU "
                                + "kernels were not compiled (see target/ptxas-report.tsv)");
            List<String> names = new ArrayList<>();
            for (String line :
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                            .lines()
                            .toList()) if (!line.isBlank()) names.add(line.trim());
            return names;
        } catch (IOException e) {
            throw new DeviceException("cannot read /cuda/fatbins.txt: " + e.getMessage(), e);
        }
    }

    private static byte[] resourceBytes(String resource) {
        try (InputStream in = CudaDevice.class.getResourceAsStream(resource)) {
            if (in == null)
                throw new DeviceException(
                        "fatbin " + resource + " listed in /cuda/fatbins.txt is missing");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new DeviceException("cannot read fatbin " + resource + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return "cuda:" + ordinal + " (" + deviceName + ")";
    }

    void current() {
        usable();
        cuCtxSetCurrent(context);
    }

    /**
     * Makes this device's context current on the calling thread (cuBLAS works in the current
     * context).
     */
    void makeCurrent() {
        current();
    }

    private CUfunction function(String kernel) {
        return functions.computeIfAbsent(
                kernel,
                k -> {
                    for (CUmodule m : modules) {
                        CUfunction f = new CUfunction();
                        try {
                            cuModuleGetFunction(f, m, k);
                            return f;
                        } catch (CudaException e) {
                            if (!e.getMessage()
                                    .contains(CUresult.stringFor(CUresult.CUDA_ERROR_NOT_FOUND)))
                                throw e;
                        }
                    }
                    throw new DeviceException(
                            "unknown kernel "
                                    + k
                                    + ": in none of the "
                                    + modules.size()
                                    + " fatbins");
                });
    }

    @Override
    public DeviceBuffer alloc(long bytes) {
        try {
            current();
            CudaBuffer.Address p = new CudaBuffer.Address();
            cuMemAlloc(p, Math.max(bytes, 1));
            return new CudaBuffer(context, p, 0, bytes, true);
        } catch (CudaException e) {
            throw failure("cuMemAlloc(" + bytes + " bytes)", e);
        }
    }

    private static CudaBuffer cuda(DeviceBuffer b, long bytes, String what) {
        if (!(b instanceof CudaBuffer c))
            throw new DeviceException(what + ": the buffer does not belong to a CUDA device");
        if (bytes > c.bytes())
            throw new DeviceException(
                    what
                            + " ("
                            + bytes
                            + " bytes) does not fit a buffer of "
                            + c.bytes()
                            + " bytes");
        return c;
    }

    private void copyIn(Pointer src, long bytes, DeviceBuffer dst, String what) {
        try {
            current();
            cuMemcpyHtoD(cuda(dst, bytes, what).pointer(), src, bytes);
        } catch (CudaException e) {
            throw failure(what, e);
        }
    }

    private void copyOut(DeviceBuffer src, Pointer dst, long bytes, String what) {
        try {
            current();
            cuMemcpyDtoH(dst, cuda(src, bytes, what).pointer(), bytes);
        } catch (CudaException e) {
            throw failure(what, e);
        }
    }

    @Override
    public void upload(float[] src, DeviceBuffer dst) {
        copyIn(Pointer.to(src), 4L * src.length, dst, "upload of " + src.length + " floats");
    }

    @Override
    public void uploadBf16(float[] src, DeviceBuffer dst) {
        short[] h = new short[src.length];
        for (int i = 0; i < src.length; i++) h[i] = Bf16.fromFloat(src[i]);
        copyIn(Pointer.to(h), 2L * h.length, dst, "upload of " + src.length + " bf16 values");
    }

    @Override
    public void upload(int[] src, DeviceBuffer dst) {
        copyIn(Pointer.to(src), 4L * src.length, dst, "upload of " + src.length + " ints");
    }

    @Override
    public void download(DeviceBuffer src, float[] dst) {
        copyOut(src, Pointer.to(dst), 4L * dst.length, "download of " + dst.length + " floats");
    }

    @Override
    public void downloadBf16(DeviceBuffer src, float[] dst) {
        short[] h = new short[dst.length];
        copyOut(src, Pointer.to(h), 2L * h.length, "download of " + dst.length + " bf16 values");
        for (int i = 0; i < dst.length; i++) dst[i] = Bf16.toFloat(h[i]);
    }

    @Override
    public void download(DeviceBuffer src, int[] dst) {
        copyOut(src, Pointer.to(dst), 4L * dst.length, "download of " + dst.length + " ints");
    }

    @Override
    public void launch(
            String kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, Object... args) {
        KernelArgs.checkKinds(kernel, args);
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] =
                    switch (args[i]) {
                        case DeviceBuffer b ->
                                Pointer.to(
                                        cuda(b, 0, "argument " + (i + 1) + " of " + kernel)
                                                .pointer());
                        case Integer v -> Pointer.to(new int[] {v});
                        case Long v -> Pointer.to(new long[] {v});
                        case Float v -> Pointer.to(new float[] {v});
                        default -> throw new IllegalStateException("checked by KernelArgs");
                    };
        }
        try {
            current();
            CUfunction f = function(kernel);
            if (dynamicSharedBytes > DEFAULT_DYNAMIC_SHARED_LIMIT
                    && sharedOptIn.getOrDefault(kernel, DEFAULT_DYNAMIC_SHARED_LIMIT)
                            < dynamicSharedBytes) {
                cuFuncSetAttribute(
                        f,
                        CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                        dynamicSharedBytes);
                sharedOptIn.put(kernel, dynamicSharedBytes);
            }
            cuLaunchKernel(
                    f,
                    grid.x(),
                    grid.y(),
                    grid.z(),
                    block.x(),
                    block.y(),
                    block.z(),
                    dynamicSharedBytes,
                    null,
                    Pointer.to(params),
                    null);
        } catch (CudaException e) {
            throw failure(
                    "kernel "
                            + kernel
                            + " (grid "
                            + grid
                            + ", block "
                            + block
                            + ", "
                            + dynamicSharedBytes
                            + " B dynamic shared)",
                    e);
        }
    }

    /** A second, non-blocking stream for uploads from pinned memory ({@link CudaUploadStream}). */
    @Override
    public UploadStream uploadStream() {
        return new CudaUploadStream(this);
    }

    @Override
    public void synchronize() {
        try {
            current();
            cuCtxSynchronize();
        } catch (CudaException e) {
            throw failure("a kernel launched earlier failed (cuCtxSynchronize)", e);
        }
    }

    /** A CUDA event recorded on the default stream (cuEventCreate + cuEventRecord). */
    @Override
    public Object mark() {
        try {
            current();
            CUevent e = new CUevent();
            cuEventCreate(e, CUevent_flags.CU_EVENT_DEFAULT);
            cuEventRecord(e, null);
            return e;
        } catch (CudaException e) {
            throw failure("cuEventRecord", e);
        }
    }

    /**
     * cuEventElapsedTime between two marks, after cuEventSynchronize on the later; both events are
     * destroyed.
     */
    @Override
    public double elapsedMs(Object from, Object to) {
        try {
            current();
            cuEventSynchronize((CUevent) to);
            float[] ms = {0f};
            cuEventElapsedTime(ms, (CUevent) from, (CUevent) to);
            cuEventDestroy((CUevent) from);
            cuEventDestroy((CUevent) to);
            return ms[0];
        } catch (CudaException e) {
            throw failure("cuEventElapsedTime", e);
        }
    }

    /**
     * Unloads the modules and releases the primary context; after a sticky error only the release
     * is tried.
     */
    @Override
    // Unload failures are caught; a failed context release must surface, hence the throw in
    // finally.
    @SuppressWarnings("Finally")
    public void close() {
        try {
            if (lost == null) {
                cuCtxSetCurrent(context);
                for (CUmodule m : modules) cuModuleUnload(m);
            }
        } catch (CudaException e) {
            // a module that cannot be unloaded goes with the context
        } finally {
            modules.clear();
            try {
                cuDevicePrimaryCtxRelease(cuDevice);
            } catch (CudaException e) {
                throw new DeviceException(
                        "releasing the primary context of " + name() + ": " + e.getMessage(), e);
            }
        }
    }
}
