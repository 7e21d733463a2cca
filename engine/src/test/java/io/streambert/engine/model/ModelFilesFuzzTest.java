package io.streambert.engine.model;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.streambert.engine.TestModels;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random mutations of a valid safetensors file and of tiny-a's config.json, fed to their
 * readers. Each must load, or fail with a {@link ModelLoadException} whose message names the file;
 * nothing else (no OutOfMemoryError, no IndexOutOfBounds from a mapping, no NumberFormatException),
 * and no read allocating far beyond the file's size. {@code -Dfuzz.seed=N -Dfuzz.iterations=M}
 * reruns or widens it; a failure prints the seed.
 */
class ModelFilesFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", 20261205L);

    /**
     * 3,000 safetensors files (each is mapped and unmapped: the slow part) and 5,000 config.json
     * files by default.
     */
    private static final int FILE_ITERATIONS = Integer.getInteger("fuzz.iterations", 3_000);

    private static final int CONFIG_ITERATIONS = Integer.getInteger("fuzz.iterations", 5_000);
    private static final long MAX_ALLOCATION_BYTES = 64L << 20;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir Path tmp;

    @Test
    void safetensorsReaderSurvivesMutations() throws IOException {
        Path seedFile = tmp.resolve("seed.safetensors");
        new SafeTensorsWriter()
                .metadata("format", "pt")
                .add(
                        "model.embeddings.tok_embeddings.weight",
                        new float[] {1, 2, 3, 4, 5, 6},
                        DType.F32,
                        3,
                        2)
                .add(
                        "model.layers.0.attn.Wqkv.weight",
                        new float[] {0.5f, -1f, 2f, 4f},
                        DType.BF16,
                        2,
                        2)
                .add("model.final_norm.weight", new float[] {1f, 0.25f}, DType.F16, 2)
                .addInts("position_ids", new int[] {0, 1, 2}, 3)
                .write(seedFile);
        byte[] valid = Files.readAllBytes(seedFile);
        Random random = new Random(SEED);
        Path f = tmp.resolve("m.safetensors");
        int opened = 0;
        for (int i = 0; i < FILE_ITERATIONS; i++) {
            long caseSeed = random.nextLong();
            byte[] bytes = mutate(valid, new Random(caseSeed), true);
            Files.write(f, bytes);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            try (SafeTensorsFile s = SafeTensorsFile.open(f)) {
                opened++;
                for (TensorInfo t : s.tensors().values()) {
                    try {
                        if (t.dtype().isFloat()) s.readFloats(t.name());
                        else s.readInts(t.name());
                    } catch (ModelLoadException e) {
                        requireNamesFile(e, f, caseSeed, bytes);
                    }
                }
            } catch (ModelLoadException e) {
                requireNamesFile(e, f, caseSeed, bytes);
            } catch (Throwable t) {
                fail(report(caseSeed, bytes, "undocumented " + t), t);
            }
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            if (allocated > MAX_ALLOCATION_BYTES)
                fail(report(caseSeed, bytes, "allocated " + allocated + " bytes"));
        }
        assertTrue(
                opened > 0 && opened < FILE_ITERATIONS,
                "mutations should both open and fail: " + opened + " of " + FILE_ITERATIONS);
    }

    @Test
    void configReaderSurvivesMutations() throws IOException {
        Path dir = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("m"));
        CheckpointShape shape;
        try (Checkpoint ck = Checkpoint.open(dir)) {
            shape = CheckpointShape.of(ck);
        }
        byte[] valid = Files.readAllBytes(dir.resolve("config.json"));
        Path config = dir.resolve("config.json");
        Random random = new Random(SEED + 1);
        int parsed = 0;
        for (int i = 0; i < CONFIG_ITERATIONS; i++) {
            long caseSeed = random.nextLong();
            byte[] bytes = mutate(valid, new Random(caseSeed), false);
            Files.write(config, bytes);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            try {
                ModelConfig c = ModelConfig.load(dir, shape);
                parsed++;
                for (int l = 0; l < c.numLayers(); l++) c.ropeTheta(l);
            } catch (ModelLoadException e) {
                requireNamesFile(e, config, caseSeed, bytes);
            } catch (Throwable t) {
                fail(report(caseSeed, bytes, "undocumented " + t), t);
            }
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            if (allocated > MAX_ALLOCATION_BYTES)
                fail(report(caseSeed, bytes, "allocated " + allocated + " bytes"));
        }
        assertTrue(
                parsed > 0 && parsed < CONFIG_ITERATIONS,
                "mutations should both parse and fail: " + parsed + " of " + CONFIG_ITERATIONS);
    }

    private static void requireNamesFile(
            ModelLoadException e, Path file, long caseSeed, byte[] bytes) {
        if (e.getMessage() == null || !e.getMessage().contains(file.toString())) {
            fail(
                    report(
                            caseSeed,
                            bytes,
                            "message does not name " + file + ": " + e.getMessage()),
                    e);
        }
    }

    private static String report(long caseSeed, byte[] bytes, String what) {
        return what
                + "\n  case seed "
                + caseSeed
                + " (suite seed "
                + SEED
                + "), "
                + bytes.length
                + " bytes: "
                + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 200))
                + "\n  as text: "
                + new String(bytes, 0, Math.min(bytes.length, 400), StandardCharsets.ISO_8859_1);
    }

    private static final String[] TOKENS = {
        "-1",
        "0",
        "1e9",
        "1000000000",
        "2147483647",
        "9223372036854775807",
        "99999999999999999999",
        "-9223372036854775808",
        "null",
        "[]",
        "{}",
        "\"\"",
        "true",
        "1.5",
        "NaN",
        "\"F32\"",
        "\"BF16\"",
        "\"I64\"",
        "\"Q4\"",
        "[1,2]",
        "[-1]",
        "[4294967296,4294967296]",
        "\"full_attention\"",
        "\"sliding_attention\"",
        "\\u0000",
        "\"",
        ",",
        ":",
        "{",
        "}"
    };

    /**
     * Mutations aimed at JSON structure and numbers; for safetensors also at the 8-byte length and
     * the data.
     */
    static byte[] mutate(byte[] in, Random r, boolean binary) {
        byte[] b = in.clone();
        int steps = 1 + r.nextInt(3);
        for (int s = 0; s < steps; s++) {
            int at = b.length == 0 ? 0 : r.nextInt(b.length);
            switch (r.nextInt(binary ? 8 : 6)) {
                case 0 -> {
                    if (b.length > 0) b[at] ^= (byte) (1 << r.nextInt(8));
                }
                case 1 -> {
                    if (b.length > 0) b[at] = (byte) r.nextInt(256);
                }
                case 2 -> b = Arrays.copyOf(b, at); // truncate
                case 3, 4 -> { // replace a number or token at a random place with a hostile one
                    byte[] token =
                            TOKENS[r.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8);
                    int end = at;
                    while (end < b.length
                            && end - at < 12
                            && (Character.isDigit(b[end]) || b[end] == '-' || b[end] == '.')) end++;
                    byte[] out = new byte[at + token.length + b.length - end];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(token, 0, out, at, token.length);
                    System.arraycopy(b, end, out, at + token.length, b.length - end);
                    b = out;
                }
                case 5 -> { // delete a range
                    int len = Math.min(b.length - at, 1 + r.nextInt(16));
                    byte[] out = new byte[b.length - len];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(b, at + len, out, at, b.length - at - len);
                    b = out;
                }
                case 6 -> {
                    if (b.length >= 8) b[r.nextInt(8)] = (byte) r.nextInt(256);
                } // the header length
                default -> { // grow or shrink the file's tail (the data section)
                    b = Arrays.copyOf(b, Math.max(0, b.length + r.nextInt(33) - 16));
                }
            }
        }
        return b;
    }
}
