package io.streambert.gpu.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.DeviceException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paths a GPU machine takes when something is missing, exercised here with the driver replaced
 * by fakes: an absent libcublas / libnvrtc, a fatbin the driver refuses (NVRTC compiles the bundled
 * source, through the cubin cache), a cubin refused too, NVRTC absent when it is needed.
 */
class CudaFallbackTest {
    @TempDir Path tmp;

    @Test
    void absentLibrariesNameEveryTry() {
        DeviceException e =
                assertThrows(
                        DeviceException.class,
                        () ->
                                CublasLibrary.load(
                                        List.of(
                                                "libcublas-absent.so.13",
                                                "libcublas-absent.so.12")));
        assertTrue(e.getMessage().contains("no cuBLAS library loads"), e.getMessage());
        assertTrue(
                e.getMessage().contains("libcublas-absent.so.13")
                        && e.getMessage().contains("libcublas-absent.so.12"),
                e.getMessage());
        DeviceException n =
                assertThrows(DeviceException.class, () -> NvrtcLibrary.load(List.of("none")));
        assertTrue(n.getMessage().contains("disabled by configuration"), n.getMessage());
        assertEquals(List.of("libcublas.so.13", "libcublas.so.12"), CublasLibrary.DEFAULT_NAMES);
    }

    @Test
    void theFirstLibraryThatLoadsIsTaken() {
        NativeLibrary libc = NativeLibrary.first("C", List.of("libc-absent.so.7", "libc.so.6"));
        assertEquals("libc.so.6", libc.name());
        assertThrows(
                DeviceException.class,
                () ->
                        libc.function(
                                "no_such_symbol_anywhere",
                                java.lang.foreign.FunctionDescriptor.ofVoid()));
        // a symbol under either of two names (cublasCreate_v2 / cublasCreate): the first that
        // exists
        var getpid =
                libc.function(
                        java.lang.foreign.FunctionDescriptor.of(
                                java.lang.foreign.ValueLayout.JAVA_INT),
                        "no_such_v2",
                        "getpid");
        try {
            assertEquals(ProcessHandle.current().pid(), (long) (int) getpid.invokeExact());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Test
    void propertyReplacesTheNames() {
        System.setProperty("streambert.test.libs", "a.so, b.so");
        try {
            assertEquals(
                    List.of("a.so", "b.so"),
                    NativeLibrary.names("streambert.test.libs", List.of("x")));
        } finally {
            System.clearProperty("streambert.test.libs");
        }
        assertEquals(List.of("x"), NativeLibrary.names("streambert.test.libs", List.of("x")));
    }

    @Test
    void bundledSourcesHoldEveryKernelFileAndItsHeaders() {
        KernelSources s = KernelSources.bundled();
        for (String f :
                List.of(
                        "sb_gemm.cu",
                        "sb_attention.cu",
                        "sb_convert.cu",
                        "sb_geglu.cu",
                        "sb_layernorm.cu",
                        "sb_pooling.cu",
                        "sb_rope.cu")) assertTrue(s.source(f).contains("SB_KERNEL"), f);
        assertTrue(
                s.headers()
                        .keySet()
                        .containsAll(
                                List.of(
                                        "sb_portable.cuh",
                                        "sb_rtc.cuh",
                                        "sb_gemm_tiles.cuh",
                                        "sb_reduce.cuh")),
                s.headers().keySet().toString());
        // every quoted include of a bundled file is itself bundled (what NVRTC needs: it reads no
        // files)
        for (Map.Entry<String, String> f : s.files().entrySet()) {
            for (String line : f.getValue().lines().toList()) {
                String l = line.strip();
                if (l.startsWith("#include \"") && !l.contains("../emu/"))
                    assertTrue(
                            s.files().containsKey(l.substring(10, l.indexOf('"', 10))),
                            f.getKey() + ": " + l);
            }
        }
    }

    /**
     * A driver stand-in: refuses fatbins for which {@code refuseFatbin} holds, loads anything else.
     */
    private static final class FakeDriver implements ModuleImages.Loader<String> {
        final List<String> loaded = new ArrayList<>();
        final boolean refuseFatbins, refuseCubins;

        FakeDriver(boolean refuseFatbins, boolean refuseCubins) {
            this.refuseFatbins = refuseFatbins;
            this.refuseCubins = refuseCubins;
        }

        @Override
        public String load(String what, byte[] image) {
            boolean fatbin = what.endsWith(".fatbin");
            if (fatbin ? refuseFatbins : refuseCubins)
                throw new ModuleImages.RefusedException("CUDA_ERROR_NO_BINARY_FOR_GPU", null);
            loaded.add(what);
            return what + ":" + new String(image, StandardCharsets.UTF_8);
        }
    }

    /** An NVRTC stand-in: records each compile, returns "cubin of FILE for OPTIONS". */
    private static final class FakeCompiler implements KernelCompiler {
        final AtomicInteger compiles = new AtomicInteger();
        final List<List<String>> options = new ArrayList<>();
        final List<Map<String, String>> headers = new ArrayList<>();

        @Override
        public String name() {
            return "fake NVRTC";
        }

        @Override
        public byte[] compile(
                String fileName, String source, Map<String, String> hdrs, List<String> opts) {
            compiles.incrementAndGet();
            options.add(opts);
            headers.add(hdrs);
            assertTrue(source.contains("SB_KERNEL"), "compiles the bundled source of " + fileName);
            return ("cubin of " + fileName).getBytes(StandardCharsets.UTF_8);
        }
    }

    private static byte[] fatbin(String name) {
        return ("fatbin " + name).getBytes(StandardCharsets.UTF_8);
    }

    /** The module loader of an sm_90 GPU under this driver version, with the bundled sources. */
    private static ModuleImages<String> images(
            FakeDriver driver,
            Supplier<KernelCompiler> compiler,
            CubinCache cache,
            int driverVersion) {
        return new ModuleImages<>(
                driver, compiler, KernelSources::bundled, cache, 9, 0, driverVersion);
    }

    private static ModuleImages<String> images(
            FakeDriver driver, FakeCompiler compiler, CubinCache cache, int driverVersion) {
        return images(driver, () -> compiler, cache, driverVersion);
    }

    /** Loads the fatbins named (each holding "fatbin NAME") in {@code mode}. */
    private static List<ModuleImages.Loaded<String>> load(
            ModuleImages<String> images, ModuleImages.Mode mode, String... fatbins) {
        return images.loadAll(List.of(fatbins), CudaFallbackTest::fatbin, mode);
    }

    /** Loading sb_gemm.fatbin fails; what the error says. */
    private static String gemmLoadFailure(ModuleImages<String> images) {
        return assertThrows(
                        DeviceException.class,
                        () -> load(images, ModuleImages.Mode.FATBIN, "sb_gemm.fatbin"))
                .getMessage();
    }

    @Test
    void fatbinsLoadAsBuiltWhenTheDriverTakesThem() {
        FakeDriver driver = new FakeDriver(false, false);
        FakeCompiler compiler = new FakeCompiler();
        var loaded =
                load(
                        images(driver, compiler, new CubinCache(tmp), 13000),
                        ModuleImages.Mode.FATBIN,
                        "sb_gemm.fatbin",
                        "sb_rope.fatbin");
        assertEquals(List.of("sb_gemm.fatbin", "sb_rope.fatbin"), driver.loaded);
        assertEquals("fatbin", loaded.get(0).from());
        assertEquals(0, compiler.compiles.get());
    }

    @Test
    void aRefusedFatbinIsCompiledByNvrtcForTheDeviceAndCached() throws Exception {
        CubinCache cache = new CubinCache(tmp.resolve("cache"));
        FakeCompiler compiler = new FakeCompiler();
        var loaded =
                load(
                        images(new FakeDriver(true, false), compiler, cache, 13000),
                        ModuleImages.Mode.FATBIN,
                        "sb_gemm.fatbin");
        assertEquals(1, compiler.compiles.get());
        assertTrue(
                compiler.options.get(0).contains("--gpu-architecture=sm_90"),
                compiler.options.toString());
        assertTrue(
                compiler.headers.get(0).containsKey("sb_gemm_tiles.cuh")
                        && compiler.headers.get(0).containsKey("sb_rtc.cuh"));
        assertTrue(loaded.get(0).module().endsWith("cubin of sb_gemm.cu"), loaded.get(0).module());
        List<Path> files;
        try (var s = Files.list(tmp.resolve("cache"))) {
            files = s.toList();
        }
        assertEquals(1, files.size());
        String key = files.get(0).getFileName().toString();
        assertTrue(key.startsWith("sb_gemm-") && key.endsWith("-sm_90-drv13000.cubin"), key);

        // a second process with the same source, GPU and driver: from the cache, no compile
        FakeCompiler second = new FakeCompiler();
        var again =
                load(
                        images(new FakeDriver(true, false), second, cache, 13000),
                        ModuleImages.Mode.FATBIN,
                        "sb_gemm.fatbin");
        assertEquals(0, second.compiles.get());
        assertTrue(again.get(0).from().startsWith("cubin cache"), again.get(0).from());
        assertArrayEquals("cubin of sb_gemm.cu".getBytes(StandardCharsets.UTF_8), cache.get(key));

        // another driver version: another key, compiled again
        FakeCompiler third = new FakeCompiler();
        load(
                images(new FakeDriver(true, false), third, cache, 13010),
                ModuleImages.Mode.FATBIN,
                "sb_gemm.fatbin");
        assertEquals(1, third.compiles.get());
    }

    @Test
    void theCacheKeyFollowsSourceArchitectureAndDriver() {
        KernelSources s = KernelSources.bundled();
        List<String> opts = List.of("--gpu-architecture=sm_90");
        String h = s.hash("sb_gemm.cu", opts);
        Map<String, String> edited = new LinkedHashMap<>(s.files());
        edited.put(
                "sb_gemm_tiles.cuh",
                edited.get("sb_gemm_tiles.cuh").replace("SB_GEMM_BK 32", "SB_GEMM_BK 64"));
        assertNotEquals(
                h,
                new KernelSources(edited).hash("sb_gemm.cu", opts),
                "a header change changes the hash");
        assertNotEquals(h, s.hash("sb_gemm.cu", List.of("--gpu-architecture=sm_80")));
        assertNotEquals(
                CubinCache.key("sb_gemm.cu", h, 9, 0, 13000),
                CubinCache.key("sb_gemm.cu", h, 8, 0, 13000));
        assertNotEquals(
                CubinCache.key("sb_gemm.cu", h, 9, 0, 13000),
                CubinCache.key("sb_gemm.cu", h, 9, 0, 12080));
    }

    @Test
    void nvrtcModeCompilesEverythingAndNeverOffersAFatbin() {
        FakeDriver driver = new FakeDriver(false, false);
        FakeCompiler compiler = new FakeCompiler();
        load(
                images(driver, compiler, new CubinCache(tmp), 13000),
                ModuleImages.Mode.NVRTC,
                "sb_gemm.fatbin",
                "sb_rope.fatbin");
        assertEquals(2, compiler.compiles.get());
        assertFalse(
                driver.loaded.stream().anyMatch(n -> n.endsWith(".fatbin")),
                driver.loaded.toString());
    }

    @Test
    void aRefusedFatbinWithoutNvrtcSaysBoth() {
        String e =
                gemmLoadFailure(
                        images(
                                new FakeDriver(true, false),
                                () ->
                                        NvrtcLibrary.load(
                                                List.of(
                                                        "libnvrtc-absent.so.13",
                                                        "libnvrtc-absent.so.12")),
                                new CubinCache(tmp),
                                13000));
        assertTrue(
                e.contains("refused its fatbin") && e.contains("CUDA_ERROR_NO_BINARY_FOR_GPU"), e);
        assertTrue(e.contains("NVRTC is unavailable") && e.contains("libnvrtc-absent.so.13"), e);
    }

    @Test
    void anNvrtcLinkageErrorIsReportedNotThrown() {
        String e =
                gemmLoadFailure(
                        images(
                                new FakeDriver(true, false),
                                () -> {
                                    throw new UnsatisfiedLinkError(
                                            "simulated: libnvrtc-builtins missing");
                                },
                                new CubinCache(tmp),
                                13000));
        assertTrue(e.contains("libnvrtc-builtins missing"), e);
    }

    @Test
    void aRefusedCubinFailsTheOpenWithBothReasons() {
        String e =
                gemmLoadFailure(
                        images(
                                new FakeDriver(true, true),
                                new FakeCompiler(),
                                new CubinCache(tmp),
                                13000));
        assertTrue(e.contains("refused its NVRTC cubin for sm_90 too"), e);
    }

    @Test
    void anUnwritableCacheOnlyCostsRecompiling() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        CubinCache cache = new CubinCache(file.resolve("sub"));
        FakeCompiler compiler = new FakeCompiler();
        load(
                images(new FakeDriver(true, false), compiler, cache, 13000),
                ModuleImages.Mode.FATBIN,
                "sb_gemm.fatbin");
        assertEquals(1, compiler.compiles.get());
    }
}
