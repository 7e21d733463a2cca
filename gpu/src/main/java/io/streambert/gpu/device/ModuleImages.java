package io.streambert.gpu.device;

import io.streambert.engine.DeviceException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the kernel modules: each nvcc fatbin as built; when the driver refuses one (no binary for
 * this GPU, PTX newer than the driver, ...), the bundled .cu source compiled by NVRTC for the
 * device's compute capability, through the {@link CubinCache}. {@link Mode#NVRTC} skips the fatbins
 * (the acceptance run uses it to exercise that path). Independent of JCuda so the fallback is
 * tested without a GPU: the loader and the compiler are parameters.
 */
public final class ModuleImages<M> {
    private static final Logger LOG = LoggerFactory.getLogger(ModuleImages.class);

    public enum Mode {
        /** The fatbins, NVRTC only for a fatbin the driver refuses (the default). */
        FATBIN,
        /** NVRTC for every kernel file (-Dstreambert.cuda.modules=nvrtc). */
        NVRTC;

        public static Mode fromConfiguration() {
            String v =
                    System.getProperty("streambert.cuda.modules", "fatbin")
                            .trim()
                            .toLowerCase(Locale.ROOT);
            return switch (v) {
                case "fatbin", "" -> FATBIN;
                case "nvrtc" -> NVRTC;
                default ->
                        throw new IllegalArgumentException(
                                "streambert.cuda.modules must be fatbin or nvrtc, was " + v);
            };
        }
    }

    /** The driver refused an image (cuModuleLoadData's error). */
    public static final class RefusedException extends DeviceException {
        public RefusedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Loads one image (fatbin or cubin) as a module; throws {@link RefusedException} when the
     * driver will not.
     */
    @FunctionalInterface
    public interface Loader<M> {
        M load(String what, byte[] image);
    }

    /** What a module was loaded from, per kernel file, for the logs and the acceptance report. */
    public record Loaded<M>(String file, M module, String from) {}

    private final Loader<M> loader;
    private final Supplier<KernelCompiler> compiler;
    private final Supplier<KernelSources> sources;
    private final CubinCache cache;
    private final int ccMajor, ccMinor, driverVersion;
    private KernelCompiler compilerLoaded;
    private KernelSources sourcesLoaded;
    private DeviceException compilerFailure;

    public ModuleImages(
            Loader<M> loader,
            Supplier<KernelCompiler> compiler,
            Supplier<KernelSources> sources,
            CubinCache cache,
            int ccMajor,
            int ccMinor,
            int driverVersion) {
        this.loader = loader;
        this.compiler = compiler;
        this.sources = sources;
        this.cache = cache;
        this.ccMajor = ccMajor;
        this.ccMinor = ccMinor;
        this.driverVersion = driverVersion;
    }

    /** NVRTC's options for this device: a cubin for exactly its architecture. */
    public List<String> options() {
        return List.of(
                "--gpu-architecture=sm_" + ccMajor + ccMinor, "-std=c++17", "-default-device");
    }

    /**
     * Loads every fatbin in {@code fatbins} (e.g. "sb_gemm.fatbin"), read by {@code bytes}, per
     * {@code mode}.
     */
    public List<Loaded<M>> loadAll(
            List<String> fatbins, Function<String, byte[]> bytes, Mode mode) {
        List<Loaded<M>> out = new ArrayList<>();
        for (String fatbin : fatbins) {
            String cu = fatbin.replaceFirst("\\.fatbin$", ".cu");
            if (mode == Mode.NVRTC) {
                out.add(compiled(cu, null));
                continue;
            }
            try {
                out.add(new Loaded<>(cu, loader.load(fatbin, bytes.apply(fatbin)), "fatbin"));
            } catch (RefusedException refused) {
                LOG.warn(
                        "the driver refused {} ({}); compiling {} with NVRTC for sm_{}{}",
                        fatbin,
                        refused.getMessage(),
                        cu,
                        ccMajor,
                        ccMinor);
                out.add(compiled(cu, refused));
            }
        }
        return out;
    }

    private Loaded<M> compiled(String cu, RefusedException refused) {
        String because =
                refused == null
                        ? ""
                        : "the driver refused its fatbin (" + refused.getMessage() + ") and ";
        KernelCompiler c = compiler(cu, because);
        KernelSources src = sources();
        List<String> options = options();
        String key = CubinCache.key(cu, src.hash(cu, options), ccMajor, ccMinor, driverVersion);
        byte[] cubin = cache.get(key);
        String from = "cubin cache " + key;
        if (cubin == null) {
            long t0 = System.nanoTime();
            cubin = c.compile(cu, src.source(cu), src.headers(), options);
            cache.put(key, cubin);
            from =
                    c.name()
                            + " ("
                            + (System.nanoTime() - t0) / 1_000_000
                            + " ms, cached as "
                            + key
                            + ")";
            LOG.info("compiled {} with {}", cu, from);
        }
        try {
            return new Loaded<>(cu, loader.load(key, cubin), from);
        } catch (RefusedException e) {
            throw new DeviceException(
                    cu
                            + ": "
                            + because
                            + "the driver refused its NVRTC cubin for sm_"
                            + ccMajor
                            + ccMinor
                            + " too: "
                            + e.getMessage(),
                    e);
        }
    }

    private KernelCompiler compiler(String cu, String because) {
        if (compilerLoaded != null) return compilerLoaded;
        if (compilerFailure == null) {
            try {
                compilerLoaded = compiler.get();
                return compilerLoaded;
            } catch (DeviceException | LinkageError e) {
                compilerFailure = new DeviceException(e.getMessage(), e);
            }
        }
        throw new DeviceException(
                "cannot load "
                        + cu
                        + ": "
                        + because
                        + "NVRTC is unavailable: "
                        + compilerFailure.getMessage(),
                compilerFailure);
    }

    private KernelSources sources() {
        if (sourcesLoaded == null) sourcesLoaded = sources.get();
        return sourcesLoaded;
    }
}
