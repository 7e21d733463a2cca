package io.streambert.gpu.device;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.streambert.engine.DeviceException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One SIMT emulation library (kernels compiled with g++ plus the emulator runtime,
 * sb_emu_runtime.cpp), loaded from the classpath through the FFM API. Each library carries its own
 * kernel registry and worker pool. A library is loaded once per JVM: the resource is copied to a
 * temporary file, which is what dlopen needs.
 */
final class EmulatorLibrary {
    /** The main library: every kernel of src/main/cuda. */
    static final String MAIN = "/native/linux-x86_64/libstreambert_emu.so";

    private static final Map<String, EmulatorLibrary> LOADED = new ConcurrentHashMap<>();

    private final String resource;
    private final MethodHandle launch;
    private final MethodHandle lastError;
    private final MethodHandle hasKernel;
    private final MethodHandle signature;
    private final MethodHandle kernelCount;
    private final MethodHandle kernelName;
    private final MethodHandle setWorkers;
    private final MethodHandle workers;
    private final SymbolLookup lookup;

    private EmulatorLibrary(String resource, SymbolLookup lookup) {
        this.resource = resource;
        this.lookup = lookup;
        Linker linker = Linker.nativeLinker();
        launch =
                linker.downcallHandle(
                        find(lookup, "sb_emu_launch"),
                        FunctionDescriptor.of(
                                JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                                JAVA_INT, JAVA_LONG, ADDRESS));
        lastError =
                linker.downcallHandle(
                        find(lookup, "sb_emu_last_error"), FunctionDescriptor.of(ADDRESS));
        hasKernel =
                linker.downcallHandle(
                        find(lookup, "sb_emu_has_kernel"),
                        FunctionDescriptor.of(JAVA_INT, ADDRESS));
        signature =
                linker.downcallHandle(
                        find(lookup, "sb_emu_kernel_signature"),
                        FunctionDescriptor.of(ADDRESS, ADDRESS));
        kernelCount =
                linker.downcallHandle(
                        find(lookup, "sb_emu_kernel_count"), FunctionDescriptor.of(JAVA_INT));
        kernelName =
                linker.downcallHandle(
                        find(lookup, "sb_emu_kernel_name"),
                        FunctionDescriptor.of(ADDRESS, JAVA_INT));
        setWorkers =
                linker.downcallHandle(
                        find(lookup, "sb_emu_set_workers"), FunctionDescriptor.ofVoid(JAVA_INT));
        workers =
                linker.downcallHandle(
                        find(lookup, "sb_emu_workers"), FunctionDescriptor.of(JAVA_INT));
    }

    private MemorySegment find(SymbolLookup lookup, String symbol) {
        return lookup.find(symbol)
                .orElseThrow(
                        () ->
                                new DeviceException(
                                        resource
                                                + " has no symbol "
                                                + symbol
                                                + ": not an emulation library built by src/build/native-build.sh"));
    }

    /** Loads (once) the library at classpath {@code resource}. */
    static EmulatorLibrary load(String resource) {
        return LOADED.computeIfAbsent(resource, EmulatorLibrary::extractAndOpen);
    }

    private static EmulatorLibrary extractAndOpen(String resource) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64")))
            throw new DeviceException(
                    "the emulation library is built for linux-x86_64 only, this JVM runs on "
                            + os
                            + "/"
                            + arch);
        try (InputStream in = EmulatorLibrary.class.getResourceAsStream(resource)) {
            if (in == null)
                throw new DeviceException(
                        "emulation library "
                                + resource
                                + " is not on the classpath "
                                + "(module gpu's build compiles it with g++: bin/mvn -pl gpu -am compile)");
            Path file = Files.createTempFile("streambert-emu-", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return new EmulatorLibrary(resource, SymbolLookup.libraryLookup(file, Arena.global()));
        } catch (IOException e) {
            throw new DeviceException(
                    "cannot extract emulation library " + resource + ": " + e.getMessage(), e);
        }
    }

    String resource() {
        return resource;
    }

    /**
     * A downcall to another exported function of this library (e.g. the cuBLAS stand-in
     * sb_emu_gemm_bf16).
     */
    MethodHandle function(String symbol, FunctionDescriptor descriptor) {
        return Linker.nativeLinker().downcallHandle(find(lookup, symbol), descriptor);
    }

    boolean hasKernel(String kernel) {
        try (Arena a = Arena.ofConfined()) {
            return (int) hasKernel.invokeExact(a.allocateFrom(kernel)) != 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * The kernel's parameter codes ('p' pointer, 'i' int, 'l' 8-byte integer, 'f' float, 'd'
     * double, '?').
     */
    String signature(String kernel) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = (MemorySegment) signature.invokeExact(a.allocateFrom(kernel));
            return s.equals(MemorySegment.NULL) ? null : s.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    List<String> kernelNames() {
        try {
            int n = (int) kernelCount.invokeExact();
            List<String> names = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
                names.add(
                        ((MemorySegment) kernelName.invokeExact(i))
                                .reinterpret(Long.MAX_VALUE)
                                .getString(0));
            return names;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void setWorkers(int n) {
        try {
            setWorkers.invokeExact(n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int workers() {
        try {
            return (int) workers.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Runs the launch to completion; returns null or the emulator's error message. */
    String launch(
            String kernel, Dim3 grid, Dim3 block, long dynamicSharedBytes, MemorySegment params) {
        try (Arena a = Arena.ofConfined()) {
            int rc =
                    (int)
                            launch.invokeExact(
                                    a.allocateFrom(kernel),
                                    grid.x(),
                                    grid.y(),
                                    grid.z(),
                                    block.x(),
                                    block.y(),
                                    block.z(),
                                    dynamicSharedBytes,
                                    params);
            if (rc == 0) return null;
            return ((MemorySegment) lastError.invokeExact())
                    .reinterpret(Long.MAX_VALUE)
                    .getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new DeviceException("emulation library call failed: " + t, t);
    }
}
