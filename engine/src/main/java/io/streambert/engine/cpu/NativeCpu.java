package io.streambert.engine.cpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native CPU kernels (src/main/native/sb_cpu_kernels.cpp, built by g++ into
 * libstreambert_cpu.so) through the FFM API, and what this processor can run, from CPUID. Loaded
 * once per JVM; the choice is logged once.
 *
 * <p>Which kernel runs: int8 needs AVX512-VNNI (processors with AMX-INT8 also have it; there is no
 * AMX kernel yet, because no machine with AMX was at hand to test one, so AMX is detected and
 * reported, and the AVX-512 path runs), bf16 needs AVX512-BF16 (likewise for AMX-BF16). AVX-VNNI
 * without AVX-512 (client processors) has no kernel yet. When nothing fits, the library is missing,
 * or the system property {@code streambert.cpu.native} is {@code false}, {@link #int8()} and {@link
 * #bf16()} are false and the encoder uses its fp32 Java kernels.
 *
 * <p>Downcalls are "critical" with heap access: Java arrays are passed without copying, and each
 * call is short (one task of a matrix product), so holding off the GC for its length is harmless.
 */
public final class NativeCpu {
    private static final Logger LOG = LoggerFactory.getLogger(NativeCpu.class);
    static final String RESOURCE = "/native/linux-x86_64/libstreambert_cpu.so";

    /** Bits of sb_cpu_features(). */
    static final int AVX512F = 1,
            AVX512_VNNI = 2,
            AVX_VNNI = 4,
            AVX512_BF16 = 8,
            AMX_INT8 = 16,
            AMX_BF16 = 32,
            AVX2_FMA = 64;

    private static final NativeCpu INSTANCE = load();

    final int features;
    final String problem; // why the library is not usable, or null
    final MethodHandle q8Quantize,
            q8Linear,
            bf16Convert,
            bf16Linear,
            peakInt8,
            peakBf16,
            bf16Attention;

    private NativeCpu(int features, String problem, MethodHandle[] h) {
        this.features = features;
        this.problem = problem;
        this.q8Quantize = h == null ? null : h[0];
        this.q8Linear = h == null ? null : h[1];
        this.bf16Convert = h == null ? null : h[2];
        this.bf16Linear = h == null ? null : h[3];
        this.peakInt8 = h == null ? null : h[4];
        this.peakBf16 = h == null ? null : h[5];
        this.bf16Attention = h == null ? null : h[6];
    }

    static NativeCpu get() {
        return INSTANCE;
    }

    /** True when the int8 kernels can run here (AVX512-VNNI and the library). */
    public static boolean int8() {
        return INSTANCE.has(AVX512F | AVX512_VNNI);
    }

    /** True when the bf16 kernels can run here (AVX512-BF16 and the library). */
    public static boolean bf16() {
        return INSTANCE.has(AVX512F | AVX512_BF16);
    }

    private boolean has(int bits) {
        return problem == null && (features & bits) == bits;
    }

    /**
     * The processor features the library reported, by name, e.g. "avx512f avx512_vnni avx512_bf16".
     */
    public static String features() {
        return names(INSTANCE.features);
    }

    /**
     * One line: the processor features and which kernels run for int8 and bf16 (logged once at
     * load).
     */
    public static String describe() {
        return describeOf(INSTANCE);
    }

    static String names(int f) {
        List<String> s = new ArrayList<>();
        if ((f & AVX2_FMA) != 0) s.add("avx2+fma");
        if ((f & AVX512F) != 0) s.add("avx512f");
        if ((f & AVX512_VNNI) != 0) s.add("avx512_vnni");
        if ((f & AVX_VNNI) != 0) s.add("avx_vnni");
        if ((f & AVX512_BF16) != 0) s.add("avx512_bf16");
        if ((f & AMX_INT8) != 0) s.add("amx_int8");
        if ((f & AMX_BF16) != 0) s.add("amx_bf16");
        return String.join(" ", s);
    }

    private static NativeCpu load() {
        NativeCpu n = open();
        LOG.info(n == null ? "native CPU kernels: not loaded" : describeOf(n));
        return n;
    }

    private static String describeOf(NativeCpu n) {
        if (n.problem != null)
            return "native CPU kernels unavailable ("
                    + n.problem
                    + "): int8 and bf16 use the fp32 Java kernels";
        return "CPU features ["
                + names(n.features)
                + "]; int8 kernel: "
                + ((n.features & (AVX512F | AVX512_VNNI)) == (AVX512F | AVX512_VNNI)
                        ? "AVX512-VNNI"
                                + ((n.features & AMX_INT8) != 0
                                        ? " (AMX-INT8 detected; no AMX kernel yet, AVX-512 path used)"
                                        : "")
                        : "none, fp32 Java")
                + "; bf16 kernel: "
                + ((n.features & (AVX512F | AVX512_BF16)) == (AVX512F | AVX512_BF16)
                        ? "AVX512-BF16"
                                + ((n.features & AMX_BF16) != 0
                                        ? " (AMX-BF16 detected; no AMX kernel yet, AVX-512 path used)"
                                        : "")
                        : "none, fp32 Java");
    }

    private static NativeCpu open() {
        if ("false".equalsIgnoreCase(System.getProperty("streambert.cpu.native", "true")))
            return new NativeCpu(0, "disabled by -Dstreambert.cpu.native=false", null);
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64")))
            return new NativeCpu(
                    0, "built for linux-x86_64 only, this JVM runs on " + os + "/" + arch, null);
        try (InputStream in = NativeCpu.class.getResourceAsStream(RESOURCE)) {
            if (in == null)
                return new NativeCpu(
                        0,
                        RESOURCE + " is not on the classpath (g++ missing at build time?)",
                        null);
            Path file = Files.createTempFile("streambert-cpu-", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            SymbolLookup lib = SymbolLookup.libraryLookup(file, Arena.global());
            Linker linker = Linker.nativeLinker();
            Linker.Option critical = Linker.Option.critical(true);
            MethodHandle features =
                    linker.downcallHandle(
                            find(lib, "sb_cpu_features"), FunctionDescriptor.of(JAVA_INT));
            int f = (int) features.invokeExact();
            MethodHandle[] h = {
                linker.downcallHandle(
                        find(lib, "sb_q8_quantize_rows"),
                        FunctionDescriptor.ofVoid(
                                ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS),
                        critical),
                linker.downcallHandle(
                        find(lib, "sb_q8_linear"),
                        FunctionDescriptor.ofVoid(
                                ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS,
                                ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS),
                        critical),
                linker.downcallHandle(
                        find(lib, "sb_bf16_convert_rows"),
                        FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS),
                        critical),
                linker.downcallHandle(
                        find(lib, "sb_bf16_linear"),
                        FunctionDescriptor.ofVoid(
                                ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT,
                                JAVA_INT, JAVA_INT, ADDRESS),
                        critical),
                linker.downcallHandle(
                        find(lib, "sb_peak_int8"), FunctionDescriptor.of(JAVA_LONG, JAVA_LONG)),
                linker.downcallHandle(
                        find(lib, "sb_peak_bf16"), FunctionDescriptor.of(JAVA_DOUBLE, JAVA_LONG)),
                linker.downcallHandle(
                        find(lib, "sb_bf16_attention"),
                        FunctionDescriptor.ofVoid(
                                ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                                ADDRESS),
                        critical),
            };
            return new NativeCpu(f, null, h);
        } catch (IOException | RuntimeException e) {
            return new NativeCpu(0, "cannot load " + RESOURCE + ": " + e, null);
        } catch (Throwable t) {
            return new NativeCpu(0, "cannot query the processor: " + t, null);
        }
    }

    private static MemorySegment find(SymbolLookup lib, String symbol) {
        return lib.find(symbol)
                .orElseThrow(
                        () -> new IllegalStateException(RESOURCE + " has no symbol " + symbol));
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("native CPU kernel call failed: " + t, t);
    }
}
