package io.streambert.gpu.kernels;

import io.streambert.gpu.device.Dim3;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tile shape of sb_gemm.cu, read from the kernel's own header {@code sb_gemm_tiles.cuh}
 * (bundled on the classpath as {@code /cuda/src/sb_gemm_tiles.cuh}): the numbers exist once, in
 * that file. A block of {@code warpsM x warpsN} warps owns a {@code bm x bn} tile of C and walks k
 * in steps of {@code bk}.
 */
public record GemmTiling(int bm, int bn, int bk, int warpsM, int warpsN, int pad) {
    /**
     * Where the header lies on the classpath (the build copies src/main/cuda there; NVRTC compiles
     * from it too).
     */
    public static final String HEADER = "/cuda/src/sb_gemm_tiles.cuh";

    private static final Pattern DEFINE =
            Pattern.compile("^#define\\s+SB_GEMM_(\\w+)\\s+(\\d+)\\b", Pattern.MULTILINE);

    /** The shape sb_gemm_bf16 is compiled with. */
    public static final GemmTiling COMPILED = parse(read(HEADER), HEADER);

    public GemmTiling {
        if (bk % 16 != 0
                || bm % (16 * warpsM) != 0
                || bn % (8 * warpsN) != 0
                || ((bk + pad) * 2) % 16 != 0)
            throw new IllegalStateException(
                    "sb_gemm tile shape "
                            + bm
                            + "x"
                            + bn
                            + "x"
                            + bk
                            + " with "
                            + warpsM
                            + "x"
                            + warpsN
                            + " warps and pad "
                            + pad
                            + " breaks the kernel's static_asserts");
    }

    /**
     * The shape the {@code #define SB_GEMM_*} lines of {@code header} give (the text of
     * sb_gemm_tiles.cuh).
     */
    static GemmTiling parse(String header, String source) {
        Map<String, Integer> v = new HashMap<>();
        Matcher m = DEFINE.matcher(header);
        while (m.find()) v.put(m.group(1), Integer.parseInt(m.group(2)));
        return new GemmTiling(
                need(v, "BM", source),
                need(v, "BN", source),
                need(v, "BK", source),
                need(v, "WARPS_M", source),
                need(v, "WARPS_N", source),
                need(v, "PAD", source));
    }

    private static int need(Map<String, Integer> v, String name, String source) {
        Integer x = v.get(name);
        if (x == null) throw new IllegalStateException(source + " defines no SB_GEMM_" + name);
        return x;
    }

    private static String read(String resource) {
        try (InputStream in = GemmTiling.class.getResourceAsStream(resource)) {
            if (in == null)
                throw new IllegalStateException(
                        resource
                                + " is not on the classpath (module gpu's build copies src/main/cuda)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource + ": " + e.getMessage(), e);
        }
    }

    public Dim3 block() {
        return Dim3.of(32 * warpsM * warpsN);
    }

    /** x = column tiles (over out), y = row tiles (over rows). */
    public Dim3 grid(int rows, int out) {
        return Dim3.of((out + bn - 1) / bn, Math.max(1, (rows + bm - 1) / bm));
    }
}
