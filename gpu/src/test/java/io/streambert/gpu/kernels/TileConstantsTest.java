package io.streambert.gpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Tile sizes are compiled into the CUDA kernels and used by the Java launchers: the Java constants
 * are named as in the .cu files, and this test reads the .cu sources (the module's src/main/cuda)
 * and fails when any pair differs.
 */
class TileConstantsTest {
    private static final Path CUDA = Path.of("src/main/cuda");

    /**
     * NAME -> value of every {@code constexpr int NAME = expr;} and {@code #define NAME int} in
     * {@code file}.
     */
    static Map<String, Integer> constants(String file) throws IOException {
        return constants(CUDA.resolve(file));
    }

    static Map<String, Integer> constants(Path file) throws IOException {
        String src = Files.readString(file);
        Map<String, Integer> out = new HashMap<>();
        Matcher c = Pattern.compile("constexpr\\s+int\\s+(\\w+)\\s*=\\s*([^;]+);").matcher(src);
        while (c.find()) out.put(c.group(1), eval(c.group(2).replaceAll("//.*", "").trim(), out));
        Matcher d = Pattern.compile("(?m)^#define\\s+(\\w+)\\s+(\\d+)\\s*$").matcher(src);
        while (d.find()) out.put(d.group(1), Integer.parseInt(d.group(2)));
        return out;
    }

    /**
     * An integer literal, a known name, or {@code a * b} of those (what the tile constants use).
     */
    private static int eval(String expr, Map<String, Integer> known) {
        int product = 1;
        for (String f : expr.split("\\*", -1)) {
            String t = f.trim();
            if (t.matches("\\d+")) product *= Integer.parseInt(t);
            else if (known.containsKey(t)) product *= known.get(t);
            else
                return Integer
                        .MIN_VALUE; // not a tile constant (depends on a template parameter); never
            // compared
        }
        return product;
    }

    @Test
    void attentionTilingMatchesSbAttention() throws IOException {
        Map<String, Integer> cu = constants("sb_attention.cu");
        assertEquals(cu.get("WARPS"), AttentionTiling.WARPS, "WARPS");
        assertEquals(cu.get("BLOCK_Q"), AttentionTiling.BLOCK_Q, "BLOCK_Q");
        assertEquals(cu.get("BLOCK_K"), AttentionTiling.BLOCK_K, "BLOCK_K");
        assertEquals(cu.get("KPAD"), AttentionTiling.KPAD, "KPAD");
        for (int hd : new int[] {32, 64, 128}) {
            AttentionTiling t = AttentionTiling.forHeadDim(hd);
            assertEquals(cu.get("BLOCK_Q"), t.blockQ());
            assertEquals(cu.get("BLOCK_K"), t.blockK());
            assertEquals(cu.get("WARPS"), t.warps());
            assertEquals(cu.get("KPAD"), t.sharedPad());
            assertEquals(32 * cu.get("WARPS"), t.block().x(), "threads per block");
        }
    }

    @Test
    void poolingLimitMatchesSbPooling() throws IOException {
        assertEquals(
                constants("sb_pooling.cu").get("SB_POOL_MAX_THREADS"),
                PoolingLaunch.SB_POOL_MAX_THREADS);
    }

    @Test
    void theParserSeesAChangedConstant() throws IOException {
        // the check must be able to fail: a .cu text with another BLOCK_K gives another value
        Path tmp = Files.createTempFile("sb_tiles", ".cu");
        try {
            Files.writeString(
                    tmp,
                    Files.readString(CUDA.resolve("sb_attention.cu"))
                            .replace("constexpr int BLOCK_K = 64;", "constexpr int BLOCK_K = 32;"));
            assertEquals(
                    32,
                    constants(tmp).get("BLOCK_K"),
                    "the replacement must apply to the real source");
            assertEquals(
                    16 * AttentionTiling.WARPS,
                    constants(tmp).get("BLOCK_Q"),
                    "BLOCK_Q = 16 * WARPS is evaluated");
        } finally {
            Files.delete(tmp);
        }
    }
}
