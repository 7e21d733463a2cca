package io.streambert.cli;

import static io.streambert.cli.CliTestSupport.JSON;
import static io.streambert.cli.CliTestSupport.floats;
import static io.streambert.cli.CliTestSupport.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streambert.engine.model.SafeTensorsFile;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/streambert infer on the golden tiny-a model: outputs against the float64 reference, order,
 * bad lines, exit codes.
 */
class InferCommandTest {
    static SafeTensorsFile expected;
    static List<JsonNode> cases;

    @TempDir Path tmp;

    @BeforeAll
    static void open() {
        expected = SafeTensorsFile.open(CliTestSupport.tinyA().resolve("expected.safetensors"));
        cases = CliTestSupport.cases();
    }

    @AfterAll
    static void close() {
        expected.close();
    }

    private Path write(String name, List<String> lines) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, lines, StandardCharsets.UTF_8);
        return p;
    }

    private List<JsonNode> infer(int expectedExit, Path in, String... extra) {
        Path out = tmp.resolve("out-" + System.nanoTime() + ".jsonl");
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "infer",
                                "--model",
                                CliTestSupport.tinyA().toString(),
                                "--input",
                                in.toString(),
                                "--output",
                                out.toString(),
                                "--device",
                                "cpu"));
        args.addAll(List.of(extra));
        assertEquals(
                expectedExit, CliTestSupport.run(args.toArray(String[]::new)).exit(), "exit code");
        return CliTestSupport.readJsonl(out);
    }

    /** The line matches the reference outputs of golden case {@code id}. */
    private static void assertMatchesGolden(JsonNode c, JsonNode line) {
        String id = c.get("id").asText();
        assertEquals(id, line.get("id").asText());
        assertFalse(line.has("error"), id + ": " + line.path("error").asText());
        assertEquals(c.get("input_ids").size(), line.get("tokens").asInt(), id + " tokens");
        float dl = maxAbsDiff(expected.readFloats(id + ".logits"), floats(line.get("logits")));
        assertTrue(dl <= 1e-3, id + " logits off by " + dl);
        float de =
                maxAbsDiff(expected.readFloats(id + ".embedding"), floats(line.get("embedding")));
        assertTrue(de <= 1e-4, id + " embedding off by " + de);
        if (c.hasNonNull("expected_label"))
            assertEquals(
                    c.get("expected_label").asText(), line.get("label").asText(), id + " label");
        JsonNode scores = line.get("scores");
        assertEquals(List.of("safe", "spam", "toxic"), iterable(scores.fieldNames()));
        double sum = 0, best = -1;
        String bestLabel = null;
        for (String k : iterable(scores.fieldNames())) {
            double s = scores.get(k).asDouble();
            sum += s;
            if (s > best) {
                best = s;
                bestLabel = k;
            }
        }
        assertEquals(1.0, sum, 1e-5, id + " scores sum");
        assertEquals(bestLabel, line.get("label").asText(), id + " label is the top score");
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    @Test
    void idsLinesMatchTheReferenceInInputOrderAcrossSmallBatches() throws Exception {
        List<String> lines = new ArrayList<>();
        for (JsonNode c : cases) {
            ObjectNode o = JSON.createObjectNode();
            o.set("id", c.get("id"));
            o.set("input_ids", c.get("input_ids"));
            lines.add(JSON.writeValueAsString(o));
        }
        // A budget of 40 tokens: many batches, and sequences longer than the budget go alone.
        List<JsonNode> out = infer(0, write("ids.jsonl", lines), "--batch-tokens", "40");
        assertEquals(cases.size(), out.size());
        for (int i = 0; i < cases.size(); i++) assertMatchesGolden(cases.get(i), out.get(i));
    }

    @Test
    void textLinesGoThroughTheTokenizer() throws Exception {
        List<String> lines = new ArrayList<>();
        List<JsonNode> withText = new ArrayList<>();
        List<Integer> empty = new ArrayList<>();
        for (JsonNode c : cases) {
            if (!c.hasNonNull("text")) continue;
            if (c.get("text").asText().isEmpty()) empty.add(withText.size());
            withText.add(c);
            ObjectNode o = JSON.createObjectNode();
            o.set("id", c.get("id"));
            o.set("text", c.get("text"));
            lines.add(JSON.writeValueAsString(o));
        }
        assertTrue(withText.size() >= 5);
        // An empty text is an error line, as the service dead-letters it (EMPTY_TEXT); its
        // input_ids form
        // ([CLS] [SEP]) still runs in idsLinesMatchTheReferenceInInputOrderAcrossSmallBatches.
        assertEquals(1, empty.size(), "golden set has one empty text");
        List<JsonNode> out = infer(1, write("text.jsonl", lines));
        assertEquals(withText.size(), out.size());
        for (int i = 0; i < withText.size(); i++) {
            if (empty.contains(i))
                assertTrue(
                        out.get(i).get("error").asText().contains("\"text\" is empty"),
                        out.get(i).toString());
            else assertMatchesGolden(withText.get(i), out.get(i));
        }
    }

    @Test
    void badLinesGetAnErrorAndTheRestGoesOn() throws Exception {
        JsonNode t0 = cases.get(0), t1 = cases.get(1);
        List<String> lines =
                List.of(
                        "{\"id\": \"t0\", \"text\": "
                                + JSON.writeValueAsString(t0.get("text").asText())
                                + "}",
                        "{\"id\": \"broken\", \"text\": ", // bad JSON
                        "{\"text\": \"no id here\"}", // missing id
                        "{\"id\": \"notext\"}", // neither text nor input_ids
                        "", // empty line
                        "{\"id\": \"emptyids\", \"input_ids\": []}", // empty sequence
                        "{\"id\": \"vocab\", \"input_ids\": [657, 100000, 658]}", // id outside the
                        // 704-token
                        // vocabulary
                        "{\"id\": 42, \"input_ids\": [657, 1.5, 658]}", // not an integer; numeric
                        // id echoed as a number
                        "{\"id\": \"long\", \"text\": \""
                                + "word ".repeat(200)
                                + "\"}", // too long under reject (limit 64)
                        "{\"id\": \"t1\", \"input_ids\": " + t1.get("input_ids") + "}");
        List<JsonNode> out =
                infer(
                        1,
                        write("mixed.jsonl", lines),
                        "--truncation",
                        "reject",
                        "--max-tokens",
                        "64");
        assertEquals(lines.size(), out.size(), "one output line per input line");
        assertMatchesGolden(t0, out.get(0));
        assertMatchesGolden(t1, out.get(9));
        for (int i = 1; i <= 8; i++) {
            JsonNode l = out.get(i);
            assertTrue(
                    l.hasNonNull("error") && !l.get("error").asText().isBlank(),
                    "line " + (i + 1) + " has an error: " + l);
            assertTrue(
                    l.get("error").asText().startsWith("line " + (i + 1) + ":"),
                    "error names its line: " + l);
            assertFalse(l.has("logits"), "no outputs on an error line");
            assertTrue(l.has("id"), "error line carries the id field: " + l);
        }
        assertTrue(out.get(1).get("id").isNull(), "unparseable line has a null id");
        assertEquals("notext", out.get(3).get("id").asText());
        assertEquals("vocab", out.get(6).get("id").asText());
        assertTrue(out.get(6).get("error").asText().contains("100000"), out.get(6).toString());
        assertTrue(
                out.get(7).get("id").isNumber() && out.get(7).get("id").asInt() == 42,
                out.get(7).toString());
        assertTrue(out.get(8).get("error").asText().contains("64"), out.get(8).toString());
    }

    @Test
    void stdinAndStdoutWithDash() throws Exception {
        JsonNode c = cases.get(3);
        String line =
                "{\"id\": \""
                        + c.get("id").asText()
                        + "\", \"input_ids\": "
                        + c.get("input_ids")
                        + "}\n";
        InputStream old = System.in;
        try {
            System.setIn(new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)));
            CliTestSupport.Result r =
                    CliTestSupport.run(
                            "infer",
                            "--model",
                            CliTestSupport.tinyA().toString(),
                            "--input",
                            "-",
                            "--output",
                            "-",
                            "--device",
                            "cpu");
            assertEquals(0, r.exit());
            String[] outLines = r.stdout().strip().split("\n", -1);
            assertEquals(1, outLines.length, r.stdout());
            assertMatchesGolden(c, JSON.readTree(outLines[0]));
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void embeddingDimTruncatesAndRenormalises() throws Exception {
        JsonNode c = cases.get(0);
        List<JsonNode> out =
                infer(
                        0,
                        write(
                                "one.jsonl",
                                List.of(
                                        "{\"id\": \"t0\", \"input_ids\": "
                                                + c.get("input_ids")
                                                + "}")),
                        "--embedding-dim",
                        "32");
        float[] e = floats(out.get(0).get("embedding"));
        assertEquals(32, e.length);
        double n = 0;
        for (float v : e) n += v * v;
        assertEquals(1.0, Math.sqrt(n), 1e-5);
        float[] full = expected.readFloats("t0.embedding");
        // The Matryoshka prefix points the same way as the reference's first 32 dimensions.
        double dot = 0, fn = 0;
        for (int i = 0; i < 32; i++) {
            dot += e[i] * full[i];
            fn += full[i] * full[i];
        }
        assertEquals(1.0, dot / Math.sqrt(fn), 1e-4);
    }

    @Test
    void aMissingModelOrInputIsAClearFailure() {
        assertEquals(
                2,
                CliTestSupport.run(
                                "infer",
                                "--model",
                                tmp.resolve("nope").toString(),
                                "--input",
                                "-",
                                "--output",
                                "-")
                        .exit());
        assertEquals(
                2,
                CliTestSupport.run(
                                "infer",
                                "--model",
                                CliTestSupport.tinyA().toString(),
                                "--input",
                                tmp.resolve("missing.jsonl").toString(),
                                "--output",
                                tmp.resolve("o.jsonl").toString(),
                                "--device",
                                "cpu")
                        .exit());
    }
}
