package io.streambert.gpu.device;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.streambert.engine.DeviceException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;

/**
 * NVRTC bound through the FFM API, resolved at run time: libnvrtc.so.13, then libnvrtc.so.12 (or
 * {@code -Dstreambert.nvrtc=...}; "none" disables it). Compiles one bundled .cu source, its headers
 * handed over by name (NVRTC reads no files), straight to a cubin for one GPU architecture.
 */
public final class NvrtcLibrary implements KernelCompiler {
    public static final String PROPERTY = "streambert.nvrtc";
    public static final List<String> DEFAULT_NAMES = List.of("libnvrtc.so.13", "libnvrtc.so.12");

    private final NativeLibrary lib;
    private final MethodHandle version,
            create,
            compile,
            logSize,
            log,
            cubinSize,
            cubin,
            destroy,
            errorString;

    private NvrtcLibrary(NativeLibrary lib) {
        this.lib = lib;
        version = lib.function("nvrtcVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        create =
                lib.function(
                        "nvrtcCreateProgram",
                        FunctionDescriptor.of(
                                JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        compile =
                lib.function(
                        "nvrtcCompileProgram",
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        logSize =
                lib.function(
                        "nvrtcGetProgramLogSize",
                        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        log = lib.function("nvrtcGetProgramLog", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cubinSize =
                lib.function(
                        "nvrtcGetCUBINSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cubin = lib.function("nvrtcGetCUBIN", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        destroy = lib.function("nvrtcDestroyProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        errorString = lib.function("nvrtcGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    public static NvrtcLibrary load() {
        return load(NativeLibrary.names(PROPERTY, DEFAULT_NAMES));
    }

    public static NvrtcLibrary load(List<String> names) {
        return new NvrtcLibrary(NativeLibrary.first("NVRTC", names));
    }

    @Override
    public String name() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(JAVA_INT), minor = a.allocate(JAVA_INT);
            check((int) version.invokeExact(major, minor), "nvrtcVersion");
            return "NVRTC "
                    + major.get(JAVA_INT, 0)
                    + "."
                    + minor.get(JAVA_INT, 0)
                    + " ("
                    + lib.name()
                    + ")";
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public byte[] compile(
            String fileName, String source, Map<String, String> headers, List<String> options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment prog = a.allocate(ADDRESS);
            MemorySegment hdrSrc = a.allocate(ADDRESS, Math.max(1, headers.size()));
            MemorySegment hdrNames = a.allocate(ADDRESS, Math.max(1, headers.size()));
            int i = 0;
            for (Map.Entry<String, String> h : headers.entrySet()) {
                hdrSrc.setAtIndex(ADDRESS, i, a.allocateFrom(h.getValue()));
                hdrNames.setAtIndex(ADDRESS, i, a.allocateFrom(h.getKey()));
                i++;
            }
            check(
                    (int)
                            create.invokeExact(
                                    prog,
                                    a.allocateFrom(source),
                                    a.allocateFrom(fileName),
                                    headers.size(),
                                    hdrSrc,
                                    hdrNames),
                    "nvrtcCreateProgram(" + fileName + ")");
            MemorySegment p = prog.get(ADDRESS, 0);
            try {
                MemorySegment opts = a.allocate(ADDRESS, Math.max(1, options.size()));
                for (int o = 0; o < options.size(); o++)
                    opts.setAtIndex(ADDRESS, o, a.allocateFrom(options.get(o)));
                int rc = (int) compile.invokeExact(p, options.size(), opts);
                if (rc != 0)
                    throw new DeviceException(
                            "NVRTC could not compile "
                                    + fileName
                                    + " with "
                                    + options
                                    + ": "
                                    + errorName(rc)
                                    + "\n"
                                    + programLog(a, p));
                MemorySegment size = a.allocate(JAVA_LONG);
                check((int) cubinSize.invokeExact(p, size), "nvrtcGetCUBINSize");
                MemorySegment out = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
                check((int) cubin.invokeExact(p, out), "nvrtcGetCUBIN");
                return out.asSlice(0, size.get(JAVA_LONG, 0)).toArray(JAVA_BYTE);
            } finally {
                MemorySegment pp = a.allocateFrom(ADDRESS, p);
                int ignored = (int) destroy.invokeExact(pp);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private String programLog(Arena a, MemorySegment p) throws Throwable {
        MemorySegment size = a.allocate(JAVA_LONG);
        if ((int) logSize.invokeExact(p, size) != 0) return "(no log)";
        MemorySegment text = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
        if ((int) log.invokeExact(p, text) != 0) return "(no log)";
        return text.getString(0);
    }

    private String errorName(int rc) {
        try {
            return ((MemorySegment) errorString.invokeExact(rc)).reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "nvrtcResult " + rc;
        }
    }

    private void check(int rc, String call) {
        if (rc != 0) throw new DeviceException(call + " failed: " + errorName(rc));
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new DeviceException("NVRTC call failed: " + t, t);
    }
}
