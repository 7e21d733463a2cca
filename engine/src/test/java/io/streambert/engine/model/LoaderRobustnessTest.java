package io.streambert.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Encoders;
import io.streambert.engine.TestModels;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken and hostile model files: each a ModelLoadException that names the file (and the tensor),
 * never a crash.
 */
class LoaderRobustnessTest {
    @TempDir Path tmp;

    /** 8-byte little-endian length, the header text, then {@code dataBytes} zero bytes. */
    static Path raw(Path file, long declaredLength, String header, int dataBytes)
            throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(h);
        Files.write(file, b.array());
        return file;
    }

    static Path raw(Path file, String header, int dataBytes) throws IOException {
        return raw(file, header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    static String openError(Path file) {
        ModelLoadException e =
                assertThrows(ModelLoadException.class, () -> SafeTensorsFile.open(file).close());
        assertTrue(
                e.getMessage().contains(file.toString()),
                "message names the file: " + e.getMessage());
        return e.getMessage();
    }

    static void assertMentions(String message, String... parts) {
        for (String p : parts)
            assertTrue(message.contains(p), "'" + p + "' missing from: " + message);
    }

    @Test
    void wellFormedFileReadsBack() throws IOException {
        Path f = tmp.resolve("ok.safetensors");
        new SafeTensorsWriter()
                .metadata("format", "pt")
                .add("a", new float[] {1.5f, -2f, 3.25f}, DType.F32, 3)
                .add("b", new float[] {1f, 0.1f, -7.5f, 65504f}, DType.BF16, 2, 2)
                .add("c", new float[] {0.5f, 1e-3f}, DType.F16, 2)
                .addInts("d", new int[] {-3, 7}, 2)
                .write(f);
        try (SafeTensorsFile s = SafeTensorsFile.open(f)) {
            assertEquals(4, s.tensors().size(), "__metadata__ is not a tensor");
            assertTrue(Arrays.equals(new float[] {1.5f, -2f, 3.25f}, s.readFloats("a")));
            assertTrue(
                    Arrays.equals(
                            new float[] {1f, Bf16.round(0.1f), -7.5f, Bf16.round(65504f)},
                            s.readFloats("b")));
            assertEquals(
                    Float.intBitsToFloat(0x3DCD << 16),
                    s.readFloats("b")[1]); // 0x3DCD: bf16 nearest to 0.1 (numpy reference rounding)
            assertTrue(
                    Arrays.equals(
                            new float[] {0.5f, Float.float16ToFloat(Float.floatToFloat16(1e-3f))},
                            s.readFloats("c")));
            assertTrue(Arrays.equals(new int[] {-3, 7}, s.readInts("d")));
            assertEquals(DType.BF16, s.info("b").dtype());
        }
    }

    /** A tensor beyond the 2 GiB mark of a (sparse) 3 GiB file: the mapping must address it. */
    @Test
    void tensorsBeyondTwoGibibytesAreReadable() throws IOException {
        Path f = tmp.resolve("big.safetensors");
        long at = 3L << 30;
        String header =
                "{\"far\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":["
                        + at
                        + ","
                        + (at + 8)
                        + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(8 + h.length + at + 8);
            r.write(
                    ByteBuffer.allocate(8)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .putLong(h.length)
                            .array());
            r.write(h);
            r.seek(8 + h.length + at);
            r.write(
                    ByteBuffer.allocate(8)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .putFloat(1.25f)
                            .putFloat(-3f)
                            .array());
        }
        try (SafeTensorsFile s = SafeTensorsFile.open(f)) {
            assertTrue(Arrays.equals(new float[] {1.25f, -3f}, s.readFloats("far")));
        } finally {
            Files.delete(f);
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        // 1 + 2^-8 lies exactly halfway between bf16 1.0 and 1 + 2^-7: ties go to the even mantissa
        // (1.0)
        assertEquals(1.0f, Bf16.round(1f + 0x1p-8f));
        // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even)
        assertEquals(1f + 0x1p-6f, Bf16.round(1f + 3 * 0x1p-8f));
        assertEquals(1f + 0x1p-7f, Bf16.round(1f + 0x1p-8f + 0x1p-12f));
        assertTrue(Float.isNaN(Bf16.round(Float.NaN)));
    }

    @Test
    void truncatedFile() throws IOException {
        Path f = tmp.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(TestModels.tinyA().resolve("model.safetensors"));
        Files.write(f, Arrays.copyOf(all, all.length / 2));
        assertMentions(openError(f), "tensor '", "outside the data section");
        Files.write(f, Arrays.copyOf(all, 100)); // cut inside the header
        assertMentions(openError(f), "header length");
        Files.write(f, Arrays.copyOf(all, 5));
        assertMentions(openError(f), "too short");
        Files.write(f, new byte[0]);
        assertMentions(openError(f), "too short");
    }

    /**
     * Cut after open: reading the mapping faults (SIGBUS); that must surface as a
     * ModelLoadException, not a crash.
     */
    @Test
    void fileCutWhileMapped() throws IOException {
        Path f = tmp.resolve("cut.safetensors");
        float[] big = new float[1 << 18];
        new SafeTensorsWriter().add("w", big, DType.F32, big.length).write(f);
        try (SafeTensorsFile s = SafeTensorsFile.open(f)) {
            try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
                r.setLength(4096);
            }
            ModelLoadException e = assertThrows(ModelLoadException.class, () -> s.readFloats("w"));
            assertMentions(e.getMessage(), f.toString(), "tensor 'w'", "changed while being read");
        }
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        Path f = raw(tmp.resolve("x.safetensors"), 1000, "{}", 0);
        assertMentions(openError(f), "header length 1000", "does not fit");
        raw(f, -1L, "{}", 0); // 2^64 - 1 unsigned
        assertMentions(openError(f), "18446744073709551615");
    }

    @Test
    void absurdHeaderLengthIsRefusedWithoutAllocating() throws IOException {
        Path f = tmp.resolve("huge.safetensors");
        long declared = 150L << 20;
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(
                    declared + 1024); // sparse: the length fits in the file, but is over the cap
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(declared);
            r.write(b.array());
        }
        assertMentions(openError(f), "exceeds", String.valueOf(SafeTensorsFile.MAX_HEADER_BYTES));
    }

    @Test
    void offsetsOutOfRange() throws IOException {
        Path f =
                raw(
                        tmp.resolve("x.safetensors"),
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[250],\"data_offsets\":[0,1000]}}",
                        16);
        assertMentions(openError(f), "tensor 'w'", "outside the data section");
        raw(f, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 16);
        assertMentions(openError(f), "tensor 'w'", "[8, 4]");
        raw(f, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 16);
        assertMentions(openError(f), "tensor 'w'");
        raw(f, "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":\"0-4\"}}", 16);
        assertMentions(openError(f), "tensor 'w'", "data_offsets");
    }

    @Test
    void overlappingOffsets() throws IOException {
        Path f =
                raw(
                        tmp.resolve("x.safetensors"),
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}",
                        24);
        assertMentions(openError(f), "tensor 'b'", "overlap", "'a'");
    }

    @Test
    void unknownDtype() throws IOException {
        Path f =
                raw(
                        tmp.resolve("x.safetensors"),
                        "{\"q\":{\"dtype\":\"Q4_K\",\"shape\":[4],\"data_offsets\":[0,2]}}",
                        2);
        assertMentions(openError(f), "tensor 'q'", "unknown dtype Q4_K");
    }

    @Test
    void shapeTimesDtypeDiffersFromTheByteLength() throws IOException {
        Path f =
                raw(
                        tmp.resolve("x.safetensors"),
                        "{\"s\":{\"dtype\":\"BF16\",\"shape\":[3,2],\"data_offsets\":[0,16]}}",
                        16);
        assertMentions(openError(f), "tensor 's'", "12 bytes", "span 16");
        raw(
                f,
                "{\"s\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,8],\"data_offsets\":[0,16]}}",
                16);
        assertMentions(openError(f), "tensor 's'", "overflows");
        raw(f, "{\"s\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,16]}}", 16);
        assertMentions(openError(f), "tensor 's'", "bad shape");
    }

    @Test
    void badHeaderJson() throws IOException {
        Path f = raw(tmp.resolve("x.safetensors"), "{\"a\": {\"dtype\": ", 0);
        assertMentions(openError(f), "not valid JSON");
        raw(f, "[1, 2, 3]", 0);
        assertMentions(openError(f), "not a JSON object");
        raw(
                f,
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                8);
        assertMentions(openError(f), "not valid JSON", "Duplicate");
    }

    // ------------------------------------------------------------------ whole model directories

    String modelError(Path dir) {
        ModelLoadException e =
                assertThrows(
                        ModelLoadException.class,
                        () ->
                                Encoders.open(dir, EncoderOptions.defaults().withDevice("cpu"))
                                        .close());
        return e.getMessage();
    }

    @Test
    void weightShapeThatDisagreesWithTheConfig() {
        Path dir =
                Rewrite.checkpoint(TestModels.tinyA(), tmp.resolve("m"), DType.F32, n -> n, a -> a);
        Map<String, Rewrite.Tensor> t = Rewrite.readAll(dir.resolve("model.safetensors"));
        Rewrite.Tensor wo = t.get("model.layers.1.attn.Wo.weight");
        t.put(
                "model.layers.1.attn.Wo.weight",
                new Rewrite.Tensor(Arrays.copyOf(wo.data(), 64 * 128), new long[] {64, 128}));
        Rewrite.write(dir.resolve("model.safetensors"), t, DType.F32);
        assertMentions(
                modelError(dir),
                dir.resolve("model.safetensors").toString(),
                "model.layers.1.attn.Wo.weight",
                "[64, 128]",
                "[128, 128]");
    }

    @Test
    void missingTensor() {
        Path dir =
                Rewrite.checkpoint(TestModels.tinyA(), tmp.resolve("m"), DType.F32, n -> n, a -> a);
        Map<String, Rewrite.Tensor> t = Rewrite.readAll(dir.resolve("model.safetensors"));
        t.remove("model.layers.2.mlp.Wi.weight");
        t.remove("model.final_norm.weight");
        Rewrite.write(dir.resolve("model.safetensors"), t, DType.F32);
        assertMentions(
                modelError(dir),
                dir.resolve("model.safetensors").toString(),
                "missing 2",
                "layers.2.mlp.Wi.weight",
                "final_norm.weight");
    }

    @Test
    void classifierWithoutItsHead() {
        Path dir =
                Rewrite.checkpoint(TestModels.tinyA(), tmp.resolve("m"), DType.F32, n -> n, a -> a);
        Map<String, Rewrite.Tensor> t = Rewrite.readAll(dir.resolve("model.safetensors"));
        t.remove("head.dense.weight");
        Rewrite.write(dir.resolve("model.safetensors"), t, DType.F32);
        assertMentions(modelError(dir), "head.dense.weight");
    }

    @Test
    void wrongModelType() {
        Path dir = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("m"));
        Rewrite.editConfig(dir, c -> c.put("model_type", "bert"));
        assertMentions(
                modelError(dir), dir.resolve("config.json").toString(), "'bert'", "modernbert");
    }

    @Test
    void labelCountThatDisagreesWithTheClassifier() {
        Path dir = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("m"));
        Rewrite.editConfig(
                dir,
                c ->
                        ((com.fasterxml.jackson.databind.node.ObjectNode) c.get("id2label"))
                                .put("3", "extra"));
        assertMentions(
                modelError(dir),
                dir.resolve("config.json").toString(),
                "id2label",
                "4 labels",
                "3 rows");
    }

    @Test
    void missingOrBrokenConfig() throws IOException {
        Path dir = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("m"));
        Files.delete(dir.resolve("config.json"));
        assertMentions(modelError(dir), dir.resolve("config.json").toString(), "missing");
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"modernbert\", ");
        assertMentions(modelError(dir), dir.resolve("config.json").toString(), "not valid JSON");
        Files.writeString(
                dir.resolve("config.json"),
                "{\"model_type\": \"modernbert\", \"hidden_size\": \"big\"}");
        assertMentions(modelError(dir), "config.json", "'hidden_size'", "integer");
        Files.writeString(
                dir.resolve("config.json"),
                "{\"model_type\": \"modernbert\", \"num_hidden_layers\": 2, \"layer_types\": [\"full_attention\"]}");
        assertMentions(modelError(dir), "config.json", "'layer_types'");
    }

    @Test
    void missingWeightsOrTokenizer() throws IOException {
        Path dir = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("m"));
        Files.delete(dir.resolve("model.safetensors"));
        assertMentions(modelError(dir), dir.toString(), "model.safetensors");
        Path dir2 = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("m2"));
        Files.delete(dir2.resolve("tokenizer.json"));
        assertMentions(modelError(dir2), dir2.resolve("tokenizer.json").toString(), "missing");
    }

    @Test
    void brokenTokenizerJson() throws IOException {
        Path dir = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("m"));
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"model\": ");
        assertMentions(
                modelError(dir), dir.resolve("tokenizer.json").toString(), "cannot load tokenizer");
        Files.writeString(
                dir.resolve("tokenizer.json"),
                "{\"version\": \"1.0\", \"model\": {\"type\": \"NoSuchModel\"}}");
        assertMentions(
                modelError(dir), dir.resolve("tokenizer.json").toString(), "cannot load tokenizer");
    }

    @Test
    void shardIndexProblems() throws IOException {
        Path dir = Rewrite.sharded(TestModels.tinyA(), tmp.resolve("s"), 2);
        Path index = dir.resolve(Checkpoint.INDEX);
        String good = Files.readString(index);
        Files.writeString(index, good.replace(Rewrite.shardName(1, 2), "../elsewhere.safetensors"));
        assertMentions(
                modelError(dir), index.toString(), "../elsewhere.safetensors", "not a file in");
        String key = "\"model.final_norm.weight\":\"";
        String holder =
                good.contains(key + Rewrite.shardName(0, 2))
                        ? Rewrite.shardName(0, 2)
                        : Rewrite.shardName(1, 2);
        String other =
                holder.equals(Rewrite.shardName(0, 2))
                        ? Rewrite.shardName(1, 2)
                        : Rewrite.shardName(0, 2);
        assertTrue(good.contains(key + holder));
        Files.writeString(
                index,
                good.replace(key + holder, key + other)); // the index now points at the wrong shard
        assertMentions(modelError(dir), "model.final_norm.weight", "not in this shard");
        Files.writeString(index, "{\"weight_map\": {}}");
        assertMentions(modelError(dir), index.toString(), "weight_map");
    }
}
