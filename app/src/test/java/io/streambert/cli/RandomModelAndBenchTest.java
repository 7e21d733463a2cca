package io.streambert.cli;

import static io.streambert.cli.CliTestSupport.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streambert.engine.model.SafeTensorsFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** random-model writes a loadable Hugging Face checkpoint; infer and bench run on it. */
class RandomModelAndBenchTest {

    @TempDir Path tmp;

    @Test
    void tinyRandomModelLoadsRunsAndIsNotDegenerate() throws Exception {
        Path dir = tmp.resolve("tiny");
        assertEquals(
                0,
                CliTestSupport.run(
                                "random-model",
                                "--size",
                                "tiny",
                                "--labels",
                                "4",
                                "--out",
                                dir.toString())
                        .exit());
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json"))
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);

        JsonNode cfg = JSON.readTree(dir.resolve("config.json").toFile());
        assertEquals("modernbert", cfg.get("model_type").asText());
        assertEquals(4, cfg.get("id2label").size());
        assertEquals(128, cfg.get("hidden_size").asInt());
        try (SafeTensorsFile st = SafeTensorsFile.open(dir.resolve("model.safetensors"))) {
            assertEquals(
                    "[704, 128]", st.info("model.embeddings.tok_embeddings.weight").shapeString());
            float[] wqkv = st.readFloats("model.layers.1.attn.Wqkv.weight");
            double sq = 0, max = 0;
            for (float v : wqkv) {
                sq += v * v;
                max = Math.max(max, Math.abs(v));
            }
            double std = Math.sqrt(sq / wqkv.length);
            assertTrue(
                    std > 0.12 && std < 0.2,
                    "Wqkv std " + std + " (reference init: 0.2 truncated at 2 sigma)");
            assertTrue(max <= 0.4 + 1e-6, "truncated at 2 sigma, max " + max);
        }

        Path in = tmp.resolve("in.jsonl");
        Files.write(
                in,
                List.of(
                        "{\"id\": \"a\", \"text\": \"Hello world\"}",
                        "{\"id\": \"b\", \"text\": \"Click now to claim your prize\"}",
                        "{\"id\": \"c\", \"text\": \"The weather is nice today, isn't it?\"}"),
                StandardCharsets.UTF_8);
        Path out = tmp.resolve("out.jsonl");
        assertEquals(
                0,
                CliTestSupport.run(
                                "infer",
                                "--model",
                                dir.toString(),
                                "--input",
                                in.toString(),
                                "--output",
                                out.toString(),
                                "--device",
                                "cpu")
                        .exit());
        List<JsonNode> lines = CliTestSupport.readJsonl(out);
        assertEquals(3, lines.size());
        Set<String> firstLogits = new HashSet<>();
        for (JsonNode l : lines) {
            assertEquals(4, l.get("scores").size());
            assertEquals(4, l.get("logits").size());
            assertEquals(128, l.get("embedding").size());
            for (JsonNode v : l.get("embedding")) assertTrue(Double.isFinite(v.asDouble()));
            firstLogits.add(l.get("logits").get(0).asText());
        }
        assertEquals(3, firstLogits.size(), "different texts give different logits");
        assertNotEquals(lines.get(0).get("embedding"), lines.get(1).get("embedding"));
    }

    @Test
    void benchPrintsThroughputAsJson() throws Exception {
        Path dir = tinyModel(2);
        Path lengths = tmp.resolve("w.lengths");
        Files.write(lengths, List.of("5", "17", "3", "", "64", "2"));
        CliTestSupport.Result r =
                CliTestSupport.run(
                        "bench",
                        "--model",
                        dir.toString(),
                        "--lengths",
                        lengths.toString(),
                        "--device",
                        "cpu",
                        "--batch-tokens",
                        "32",
                        "--sort",
                        "--repeats",
                        "1");
        assertEquals(0, r.exit(), r.stdout());
        JsonNode j = JSON.readTree(r.stdout().strip());
        assertEquals(5, j.get("sequences").asInt());
        assertEquals(91, j.get("tokens").asInt());
        assertEquals(
                2,
                j.get("batches").asInt(),
                "sorted 2,3,5,17 (27 tokens) then 64 alone under a 32-token budget: " + j);
        assertTrue(j.get("tokens_per_s").asDouble() > 0);
        assertTrue(j.get("sequences_per_s").asDouble() > 0);
        assertEquals("cpu", j.get("device").asText());
        assertTrue(j.get("sorted").asBoolean());
    }

    @Test
    void precisionReachesTheCpuEncoderAndABadOneIsRejected() throws Exception {
        Path dir = tinyModel(2);
        Path lengths = tmp.resolve("w.lengths");
        Files.write(lengths, List.of("5", "17"));
        String expected =
                io.streambert.engine.cpu.NativeCpu.int8()
                        ? "int8"
                        : "fp32"; // fp32 where there is no int8 kernel
        CliTestSupport.Result r =
                CliTestSupport.run(
                        "bench",
                        "--model",
                        dir.toString(),
                        "--lengths",
                        lengths.toString(),
                        "--device",
                        "cpu",
                        "--repeats",
                        "1",
                        "--precision",
                        "int8");
        assertEquals(0, r.exit(), r.stdout());
        assertEquals(expected, JSON.readTree(r.stdout().strip()).get("precision").asText());
        Path in = tmp.resolve("in.jsonl");
        Files.write(
                in, List.of("{\"id\": \"a\", \"text\": \"Hello world\"}"), StandardCharsets.UTF_8);
        Path out = tmp.resolve("out.jsonl");
        assertEquals(
                0,
                CliTestSupport.run(
                                "infer",
                                "--model",
                                dir.toString(),
                                "--input",
                                in.toString(),
                                "--output",
                                out.toString(),
                                "--device",
                                "cpu",
                                "--precision",
                                "bf16")
                        .exit());
        assertEquals(128, CliTestSupport.readJsonl(out).getFirst().get("embedding").size());
        assertEquals(
                2,
                CliTestSupport.run(
                                "bench",
                                "--model",
                                dir.toString(),
                                "--lengths",
                                lengths.toString(),
                                "--device",
                                "cpu",
                                "--precision",
                                "fp16")
                        .exit());
    }

    @Test
    void benchRejectsABadLengthsFileClearly() throws Exception {
        Path dir = tmp.resolve("tiny");
        assertEquals(
                0,
                CliTestSupport.run("random-model", "--size", "tiny", "--out", dir.toString())
                        .exit());
        Path lengths = tmp.resolve("bad.lengths");
        Files.write(lengths, List.of("5", "abc"));
        assertEquals(
                2,
                CliTestSupport.run(
                                "bench",
                                "--model",
                                dir.toString(),
                                "--lengths",
                                lengths.toString(),
                                "--device",
                                "cpu")
                        .exit());
        assertEquals(
                2,
                CliTestSupport.run(
                                "random-model",
                                "--size",
                                "huge",
                                "--out",
                                tmp.resolve("x").toString())
                        .exit());
    }

    /** A random tiny model with {@code labels} labels, made by the CLI itself. */
    private Path tinyModel(int labels) {
        Path dir = tmp.resolve("tiny");
        CliTestSupport.Result r =
                CliTestSupport.run(
                        "random-model",
                        "--size",
                        "tiny",
                        "--labels",
                        Integer.toString(labels),
                        "--out",
                        dir.toString());
        assertEquals(0, r.exit(), r.stdout());
        return dir;
    }
}
