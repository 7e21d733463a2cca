package io.streambert.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Engine;
import io.streambert.engine.Prediction;
import io.streambert.engine.TestModels;
import io.streambert.engine.TokenizerMismatchException;
import io.streambert.engine.cpu.CpuBackend;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * config.json values an attacker (or a typo) can send, checked against the checkpoint before
 * anything is allocated: each is a ModelLoadException naming config.json's field and the
 * checkpoint, or loads without allocating for it.
 */
class HostileConfigTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int[] HELLO = {
        657, 72, 291, 540, 305, 270, 108, 100, 658
    }; // tiny-a's "Hello world"

    @TempDir Path tmp;

    private Path edited(String name, String key, long value) {
        Path dir = TestModels.copyDir(TestModels.tinyA(), tmp.resolve(name));
        Rewrite.editConfig(dir, c -> c.put(key, value));
        return dir;
    }

    private static String error(Path dir, EncoderOptions options) {
        return assertThrows(ModelLoadException.class, () -> CpuBackend.open(dir, options).close())
                .getMessage();
    }

    @Test
    void aBillionLayersIsAnErrorNamingBothFilesNotAnOutOfMemoryError() {
        Path dir = edited("layers", "num_hidden_layers", 1_000_000_000L);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        String msg = error(dir, EncoderOptions.defaults());
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertTrue(
                msg.contains(dir.resolve("config.json").toString())
                        && msg.contains("'num_hidden_layers'")
                        && msg.contains("1000000000")
                        && msg.contains(dir.resolve("model.safetensors").toString())
                        && msg.contains("4 encoder layers"),
                msg);
        assertTrue(allocated < 256L << 20, "allocated " + allocated + " bytes before refusing");
    }

    @Test
    void sizesThatContradictTheEmbeddingsAreNamed() {
        assertTrue(
                error(edited("vocab", "vocab_size", 2_000_000_000L), EncoderOptions.defaults())
                        .contains("'vocab_size': 2000000000, but"));
        assertTrue(
                error(edited("inter", "intermediate_size", 1_000_000L), EncoderOptions.defaults())
                        .contains("'intermediate_size': 1000000, but"));
        String hidden = error(edited("hidden", "hidden_size", 256), EncoderOptions.defaults());
        assertTrue(
                hidden.contains("'hidden_size': 256, but") && hidden.contains("128 columns"),
                hidden);
    }

    @Test
    void aGapInTheCheckpointsLayersIsNamed() {
        Path dir =
                Rewrite.checkpoint(
                        TestModels.tinyA(),
                        tmp.resolve("gap"),
                        DType.F32,
                        n -> n.replace("layers.2.", "layers.9."),
                        a -> a);
        String msg = error(dir, EncoderOptions.defaults());
        assertTrue(
                msg.contains(dir.resolve("model.safetensors").toString())
                        && msg.contains("layer 2 has no tensor"),
                msg);
    }

    /**
     * max_position_embeddings: int max overflowed the RoPE table's size, 30M ran out of memory, 5M
     * took 2.7 GB.
     */
    @ParameterizedTest
    @ValueSource(ints = {Integer.MAX_VALUE, 30_000_000, 5_000_000})
    void hugeMaxPositionEmbeddingsLoadsWithoutBuildingTheirRopeTables(int positions) {
        Path dir = edited("pos" + positions, "max_position_embeddings", positions);
        List<Prediction> expected;
        try (Engine e = CpuBackend.open(TestModels.tinyA(), EncoderOptions.defaults())) {
            expected = e.encode(List.of(HELLO));
        }
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try (Engine e = CpuBackend.open(dir, EncoderOptions.defaults())) {
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertEquals(positions, e.info().maxTokens());
            // tiny-a's weights are 2.6 MB: loading must not allocate anything like positions x 32 x
            // 8 bytes.
            assertTrue(allocated < 128L << 20, "allocated " + (allocated >> 20) + " MiB to load");
            Prediction p = e.encode(List.of(HELLO)).getFirst();
            assertArrayEquals(expected.getFirst().logits(), p.logits(), 1e-6f);
            assertArrayEquals(expected.getFirst().embedding(), p.embedding(), 1e-6f);
        }
    }

    @Test
    void maxTokensBoundsTheLimitBelowMaxPositionEmbeddings() {
        Path dir = edited("pos-capped", "max_position_embeddings", Integer.MAX_VALUE);
        try (Engine e = CpuBackend.open(dir, EncoderOptions.defaults().withMaxTokens(512))) {
            assertEquals(512, e.info().maxTokens());
        }
    }

    @Test
    void negativeOptionsAreRefused() {
        Path dir = TestModels.tinyA();
        for (EncoderOptions bad :
                List.of(
                        EncoderOptions.defaults().withMaxTokens(-1),
                        EncoderOptions.defaults().withThreads(-2),
                        EncoderOptions.defaults().withThreads(32768),
                        EncoderOptions.defaults().withEmbeddingDim(-3))) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> CpuBackend.open(dir, bad).close(),
                            bad.toString());
            assertTrue(
                    e.getMessage() != null
                            && e.getMessage().matches(".*(tokens|threads|dimension).*"),
                    e.getMessage());
        }
    }

    @Test
    void aTokenizerWhoseIdsExceedTheVocabularyIsNamedWithTheModel() {
        Path dir =
                Rewrite.checkpoint(
                        TestModels.tinyA(), tmp.resolve("small-vocab"), DType.F32, n -> n, a -> a);
        Map<String, Rewrite.Tensor> t = Rewrite.readAll(dir.resolve("model.safetensors"));
        Rewrite.Tensor emb = t.get("model.embeddings.tok_embeddings.weight");
        t.put(
                "model.embeddings.tok_embeddings.weight",
                new Rewrite.Tensor(Arrays.copyOf(emb.data(), 300 * 128), new long[] {300, 128}));
        Rewrite.write(dir.resolve("model.safetensors"), t, DType.F32);
        Rewrite.editConfig(
                dir, c -> c.put("vocab_size", 300).put("_name_or_path", "acme/tiny-300"));
        try (Engine e = CpuBackend.open(dir, EncoderOptions.defaults())) {
            TokenizerMismatchException x =
                    assertThrows(TokenizerMismatchException.class, () -> e.tokenize("Hello world"));
            assertTrue(
                    x.getMessage().contains(dir.resolve("tokenizer.json").toString())
                            && x.getMessage().contains("acme/tiny-300")
                            && x.getMessage().contains("vocab_size 300")
                            && x.getMessage().contains("657"),
                    x.getMessage());
        }
    }

    @Test
    void weightsTooLargeForTheHeapAreAMessageNotAnOutOfMemoryError() throws IOException {
        Path dir =
                Rewrite.checkpoint(
                        TestModels.tinyA(), tmp.resolve("huge"), DType.F32, n -> n, a -> a);
        // An extra encoder tensor, sparse on disk, whose f32 copy alone exceeds the heap.
        long elements = Runtime.getRuntime().maxMemory() / 4 + (64L << 20);
        Path f = dir.resolve("model.safetensors");
        Map<String, Rewrite.Tensor> t = Rewrite.readAll(f);
        Rewrite.write(f, t, DType.F32);
        long dataBytes;
        try (SafeTensorsFile s = SafeTensorsFile.open(f)) {
            dataBytes = s.fileSize() - 8 - s.headerBytes().length;
        }
        String header = new String(readHeader(f), java.nio.charset.StandardCharsets.UTF_8);
        String extra =
                "\"model.layers.0.huge.weight\":{\"dtype\":\"F32\",\"shape\":["
                        + elements
                        + "],\"data_offsets\":["
                        + dataBytes
                        + ","
                        + (dataBytes + 4 * elements)
                        + "]},";
        String newHeader = "{" + extra + header.substring(1);
        byte[] data = java.nio.file.Files.readAllBytes(f);
        byte[] oldData = Arrays.copyOfRange(data, 8 + readHeader(f).length, data.length);
        byte[] h = newHeader.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(0);
            r.write(
                    java.nio.ByteBuffer.allocate(8)
                            .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                            .putLong(h.length)
                            .array());
            r.write(h);
            r.write(oldData);
            r.setLength(8 + h.length + dataBytes + 4 * elements); // sparse
        }
        String msg = error(dir, EncoderOptions.defaults());
        assertTrue(msg.contains(f.toString()) && msg.contains("heap"), msg);
    }

    private static byte[] readHeader(Path f) {
        try (SafeTensorsFile s = SafeTensorsFile.open(f)) {
            return s.headerBytes();
        }
    }
}
