package io.streambert.gpu.device;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.streambert.engine.DeviceException;
import io.streambert.engine.model.Bf16;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CUDA kernels of src/main/cuda, compiled with g++ against the SIMT emulation header
 * (src/main/emu) and run on the CPU: blocks on a small pool of worker threads, the threads of a
 * block as fibers. Device memory is native memory; launches are synchronous, so errors surface at
 * {@link #launch}. See docs/GPU.md, "Emulation".
 */
public final class EmulatedDevice implements Device {
    private final List<EmulatorLibrary> libraries;

    /** Where each launched kernel lives and its parameter codes, looked up once per kernel. */
    private record Kernel(EmulatorLibrary library, String signature) {}

    private final Map<String, Kernel> kernels = new ConcurrentHashMap<>();

    /** The kernels of the main emulation library. */
    public EmulatedDevice() {
        this(List.of());
    }

    /**
     * The main library plus extra emulation libraries on the classpath (e.g. test kernels,
     * "/native/linux-x86_64/libstreambert_emu_test.so"); a kernel is looked up in the extra ones
     * first.
     */
    public EmulatedDevice(List<String> extraLibraryResources) {
        List<EmulatorLibrary> libs = new ArrayList<>();
        for (String r : extraLibraryResources) libs.add(EmulatorLibrary.load(r));
        libs.add(EmulatorLibrary.load(EmulatorLibrary.MAIN));
        this.libraries = List.copyOf(libs);
    }

    @Override
    public String name() {
        return "emulated";
    }

    /**
     * Worker threads running blocks (every library of this device); 0 restores the default (cores /
     * SB_EMU_WORKERS).
     */
    public void setWorkers(int workers) {
        if (workers < 0) throw new IllegalArgumentException("workers must be >= 0: " + workers);
        for (EmulatorLibrary l : libraries) l.setWorkers(workers);
    }

    /** Worker threads of the main library. */
    public int workers() {
        return libraries.getLast().workers();
    }

    /** Names of all kernels this device can launch. */
    public List<String> kernelNames() {
        List<String> names = new ArrayList<>();
        for (EmulatorLibrary l : libraries) names.addAll(l.kernelNames());
        return names;
    }

    /**
     * The main emulation library (src/main/cuda + src/main/emu): where EmulatedGemm finds its host
     * function.
     */
    EmulatorLibrary mainLibrary() {
        return libraries.getLast();
    }

    /** The native memory behind a buffer of this device, checked to hold {@code bytes}. */
    static MemorySegment memory(DeviceBuffer b, long bytes, String what) {
        return checkedSegment(b, bytes, what);
    }

    /** Names of the kernels compiled from src/main/cuda (the ones the fatbin also holds). */
    public List<String> mainKernelNames() {
        return libraries.getLast().kernelNames();
    }

    @Override
    public DeviceBuffer alloc(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative allocation: " + bytes);
        Arena arena = Arena.ofShared();
        // 256-byte alignment, as cuMemAlloc gives, so vector loads (float4, uint4) in kernels are
        // aligned here too.
        MemorySegment memory = arena.allocate(Math.max(bytes, 1), 256).asSlice(0, bytes);
        // cuMemAlloc's memory holds whatever was there; all-ones bytes (NaN as float or bf16, -1 as
        // int) make a
        // kernel that reads memory nobody wrote fail here instead of passing on the FFM arena's
        // zeros.
        memory.fill((byte) 0xff);
        return new HostBuffer(memory, arena);
    }

    private final List<EmulatedUploadStream.Copy> pendingUploads = new ArrayList<>();

    List<EmulatedUploadStream.Copy> pendingUploads() {
        return pendingUploads;
    }

    /**
     * A second stream whose uploads land only when waited for, and whose unfinished destinations
     * this device refuses to touch ({@link EmulatedUploadStream}).
     */
    @Override
    public UploadStream uploadStream() {
        return new EmulatedUploadStream(this);
    }

    /** Refuses to touch memory an upload on an upload stream is still (in the model) writing. */
    void checkNotPending(MemorySegment s, String what) {
        synchronized (pendingUploads) {
            for (EmulatedUploadStream.Copy c : pendingUploads)
                if (c.touches(s))
                    throw new DeviceException(
                            what
                                    + " touches a buffer whose asynchronous upload has not been"
                                    + " waited for: the device's stream must wait for an event"
                                    + " recorded after the upload (UploadStream.Event.streamWait)");
        }
    }

    @Override
    public void upload(float[] src, DeviceBuffer dst) {
        MemorySegment d = segment(dst, 4L * src.length, "upload of " + src.length + " floats");
        MemorySegment.copy(src, 0, d, JAVA_FLOAT, 0, src.length);
    }

    @Override
    public void uploadBf16(float[] src, DeviceBuffer dst) {
        MemorySegment d = segment(dst, 2L * src.length, "upload of " + src.length + " bf16 values");
        for (int i = 0; i < src.length; i++) d.setAtIndex(JAVA_SHORT, i, Bf16.fromFloat(src[i]));
    }

    @Override
    public void upload(int[] src, DeviceBuffer dst) {
        MemorySegment d = segment(dst, 4L * src.length, "upload of " + src.length + " ints");
        MemorySegment.copy(src, 0, d, JAVA_INT, 0, src.length);
    }

    @Override
    public void download(DeviceBuffer src, float[] dst) {
        MemorySegment s = segment(src, 4L * dst.length, "download of " + dst.length + " floats");
        MemorySegment.copy(s, JAVA_FLOAT, 0, dst, 0, dst.length);
    }

    @Override
    public void downloadBf16(DeviceBuffer src, float[] dst) {
        MemorySegment s =
                segment(src, 2L * dst.length, "download of " + dst.length + " bf16 values");
        for (int i = 0; i < dst.length; i++) dst[i] = Bf16.toFloat(s.getAtIndex(JAVA_SHORT, i));
    }

    @Override
    public void download(DeviceBuffer src, int[] dst) {
        MemorySegment s = segment(src, 4L * dst.length, "download of " + dst.length + " ints");
        MemorySegment.copy(s, JAVA_INT, 0, dst, 0, dst.length);
    }

    private MemorySegment segment(DeviceBuffer b, long bytes, String what) {
        MemorySegment s = checkedSegment(b, bytes, what);
        checkNotPending(s, what);
        return s;
    }

    private static MemorySegment checkedSegment(DeviceBuffer b, long bytes, String what) {
        if (!(b instanceof HostBuffer h))
            throw new DeviceException(what + ": the buffer does not belong to the emulated device");
        if (bytes > h.bytes())
            throw new DeviceException(
                    what
                            + " ("
                            + bytes
                            + " bytes) does not fit a buffer of "
                            + h.bytes()
                            + " bytes");
        return h.segment();
    }

    @Override
    public void launch(
            String kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, Object... args) {
        Kernel k = kernels.computeIfAbsent(kernel, this::findKernel);
        EmulatorLibrary lib = k.library();
        KernelArgs.check(kernel, k.signature(), args);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = a.allocate(ADDRESS, Math.max(args.length, 1));
            for (int i = 0; i < args.length; i++) {
                MemorySegment slot =
                        switch (args[i]) {
                            case DeviceBuffer b ->
                                    a.allocateFrom(
                                            ADDRESS,
                                            segment(b, 0, "argument " + (i + 1) + " of " + kernel));
                            case Integer v -> a.allocateFrom(JAVA_INT, v);
                            case Long v -> a.allocateFrom(JAVA_LONG, v);
                            case Float v -> a.allocateFrom(JAVA_FLOAT, v);
                            default -> throw new IllegalStateException("checked by KernelArgs");
                        };
                params.setAtIndex(ADDRESS, i, slot);
            }
            String error = lib.launch(kernel, grid, block, dynamicSharedBytes, params);
            if (error != null)
                throw new DeviceException(
                        "kernel "
                                + kernel
                                + " (grid "
                                + dims(grid)
                                + ", block "
                                + dims(block)
                                + ", "
                                + dynamicSharedBytes
                                + " B dynamic shared) failed in the emulator: "
                                + error);
        }
    }

    private Kernel findKernel(String kernel) {
        for (EmulatorLibrary l : libraries)
            if (l.hasKernel(kernel)) return new Kernel(l, l.signature(kernel));
        throw new DeviceException(
                "unknown kernel "
                        + kernel
                        + ": not registered (SB_REGISTER_KERNEL) in "
                        + libraries.stream().map(EmulatorLibrary::resource).toList()
                        + "; known: "
                        + kernelNames());
    }

    private static String dims(Dim3 d) {
        return d.x() + "x" + d.y() + "x" + d.z();
    }

    /**
     * Launches run to completion in {@link #launch}; what can be pending is uploads on upload
     * streams, which land now (as cuCtxSynchronize waits for every stream).
     */
    @Override
    public void synchronize() {
        EmulatedUploadStream.landAll(pendingUploads);
    }

    /** Buffers are freed by their own close(); the libraries stay loaded for the JVM's lifetime. */
    @Override
    public void close() {}
}
