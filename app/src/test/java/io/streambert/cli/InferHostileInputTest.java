package io.streambert.cli;

import static io.streambert.cli.CliTestSupport.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streambert.engine.model.DType;
import io.streambert.engine.model.SafeTensorsFile;
import io.streambert.engine.model.SafeTensorsWriter;
import io.streambert.engine.model.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an attacker (or a broken pipeline) can feed `infer`: each case a clear answer, and the other
 * lines still come out.
 */
class InferHostileInputTest {
    private static final String HELLO =
            "{\"id\": \"ok\", \"input_ids\": [657, 72, 291, 540, 305, 270, 108, 100, 658]}";

    @TempDir Path tmp;

    private record Run(int exit, String stderr, List<JsonNode> lines) {}

    private Run infer(Path model, byte[] input, String... extra) throws IOException {
        Path in = tmp.resolve("in-" + System.nanoTime() + ".jsonl");
        Files.write(in, input);
        Path out = tmp.resolve("out-" + System.nanoTime() + ".jsonl");
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "infer",
                                "--model",
                                model.toString(),
                                "--input",
                                in.toString(),
                                "--output",
                                out.toString(),
                                "--device",
                                "cpu"));
        args.addAll(List.of(extra));
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream capture = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            exit = CliTestSupport.run(args.toArray(String[]::new)).exit();
        } finally {
            System.setErr(old);
        }
        return new Run(
                exit,
                err.toString(StandardCharsets.UTF_8),
                Files.exists(out) ? CliTestSupport.readJsonl(out) : List.of());
    }

    private Run infer(byte[] input, String... extra) throws IOException {
        return infer(CliTestSupport.tinyA(), input, extra);
    }

    private static byte[] lines(String... lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anOverLongLineBecomesAnErrorLineAndTheOtherLinesAreWritten() throws IOException {
        String big = "{\"id\": \"big\", \"text\": \"" + "a".repeat(3 << 20) + "\"}";
        String bigNoId = "{\"text\": \"" + "b".repeat(200_000) + "\", \"id\": \"late\"}";
        Run r = infer(lines(HELLO, big, bigNoId, HELLO), "--max-line-bytes", "65536");
        assertEquals(1, r.exit());
        assertEquals(4, r.lines().size(), r.lines().toString());
        assertFalse(r.lines().get(0).has("error"));
        assertEquals("big", r.lines().get(1).get("id").asText());
        String error = r.lines().get(1).get("error").asText();
        assertTrue(
                error.startsWith("line 2:")
                        && error.contains("--max-line-bytes=65536")
                        && error.contains(String.valueOf(big.length())),
                error);
        assertTrue(
                r.lines().get(2).get("id").isNull(),
                "an id after the cut is not guessed: " + r.lines().get(2));
        assertFalse(r.lines().get(3).has("error"));
    }

    /** 300 MB without a newline, then a good line: read through a 64 KiB buffer, never held. */
    @Test
    void aHugeLineIsSkippedWithoutHoldingIt() throws IOException {
        long huge = 300L << 20;
        InputStream in =
                new InputStream() {
                    private long served;
                    private final byte[] tail =
                            ("\n" + HELLO + "\n").getBytes(StandardCharsets.UTF_8);

                    @Override
                    public int read() {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) {
                        if (served >= huge + tail.length) return -1;
                        int n = 0;
                        while (n < len && served < huge + tail.length) {
                            b[off + n++] = served < huge ? (byte) 'x' : tail[(int) (served - huge)];
                            served++;
                        }
                        return n;
                    }
                };
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        int limit = 65536;
        try (BoundedLines lines = new BoundedLines(in, limit)) {
            BoundedLines.Line first = lines.next();
            assertTrue(first.tooLong());
            assertEquals(huge, first.bytes());
            assertEquals(HELLO, lines.next().text());
            assertEquals(null, lines.next());
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // At most the limit's buffer (grown by doubling) and the read buffer: nothing proportional
        // to the line.
        assertTrue(
                allocated < 4L * limit + (1 << 20),
                "allocated " + (allocated >> 10) + " KiB for a 300 MiB line");
    }

    @Test
    void invalidUtf8IsAnErrorLineNotReplaced() throws IOException {
        byte[] bad = "{\"id\": \"u\", \"text\": \"caf\u00e9\"}".getBytes(StandardCharsets.UTF_8);
        bad[bad.length - 3] = (byte) 0xFF;
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(bad);
        all.write('\n');
        all.write(lines(HELLO));
        Run r = infer(all.toByteArray());
        assertEquals(2, r.lines().size());
        assertTrue(
                r.lines().get(0).get("error").asText().contains("not valid UTF-8"),
                r.lines().toString());
        assertFalse(r.lines().get(1).has("error"));
    }

    @Test
    void threadsOfTheForkJoinLimitOrNegativeAreRefusedWithAMessage() throws IOException {
        for (String threads : List.of("32768", "100000", "-1")) {
            Run r = infer(lines(HELLO), "--threads", threads);
            assertEquals(2, r.exit(), threads);
            assertTrue(
                    r.stderr()
                            .contains("--threads must be 0 (all cores) or 1..1024, got " + threads),
                    r.stderr());
            assertFalse(r.stderr().contains("NullPointerException"), r.stderr());
        }
    }

    @Test
    void negativeMaxTokensAndEmbeddingDimAreRefused() throws IOException {
        Run tokens = infer(lines(HELLO), "--max-tokens", "-5");
        assertEquals(2, tokens.exit());
        assertTrue(
                tokens.stderr()
                        .contains("--max-tokens must be 0 (the model's limit) or positive, got -5"),
                tokens.stderr());
        Run dim = infer(lines(HELLO), "--embedding-dim", "-1");
        assertEquals(2, dim.exit());
        assertTrue(dim.stderr().contains("--embedding-dim"), dim.stderr());
    }

    @Test
    void emptyMeansWhitespaceAndInvisibleCharactersAsInTheService() throws IOException {
        List<String> empties =
                List.of(
                        "",
                        "   \t",
                        "\u200B",
                        "\u200B\u200D\u2060",
                        "\uFEFF",
                        "\u00AD",
                        "\u3000\u180E",
                        "\uDB40\uDC20");
        List<String> in = new ArrayList<>();
        for (String t : empties)
            in.add(JSON.writeValueAsString(JSON.createObjectNode().put("id", "e").put("text", t)));
        in.add("{\"id\": \"visible\", \"text\": \"i\\u200Bdiot\"}");
        Run r = infer(lines(in.toArray(String[]::new)));
        assertEquals(empties.size() + 1, r.lines().size());
        for (int i = 0; i < empties.size(); i++) {
            assertTrue(
                    r.lines().get(i).path("error").asText().contains("\"text\" is empty"),
                    i + ": " + r.lines().get(i));
        }
        assertFalse(
                r.lines().get(empties.size()).has("error"),
                r.lines().get(empties.size()).toString());
    }

    @Test
    void aWordSplitByInvisibleCharactersIsReadLikeTheWordUnlessNormalizationIsOff()
            throws IOException {
        byte[] input =
                lines(
                        "{\"id\": \"plain\", \"text\": \"you idiot\"}",
                        "{\"id\": \"hidden\", \"text\": \"you i\\u200Bdi\\u00ADot\"}",
                        "{\"id\": \"wide\", \"text\": \"you \\uFF49\\uFF44\\uFF49\\uFF4F\\uFF54\"}");
        Run on = infer(input);
        assertEquals(3, on.lines().size(), on.stderr());
        ObjectNode plain = ((ObjectNode) on.lines().get(0).deepCopy());
        plain.remove("id");
        for (int i = 1; i < 3; i++) {
            ObjectNode other = ((ObjectNode) on.lines().get(i).deepCopy());
            other.remove("id");
            assertEquals(plain, other, "line " + i + " reads like the plain word");
        }
        Run off = infer(input, "--no-normalize");
        ObjectNode hidden = ((ObjectNode) off.lines().get(1).deepCopy());
        hidden.remove("id");
        assertFalse(plain.equals(hidden), "as sent, the zero-width space changes the tokens");
    }

    @Test
    void aLineWithBothTextAndInputIdsIsRejected() throws IOException {
        Run r =
                infer(
                        lines(
                                "{\"id\": \"both\", \"text\": \"hello\", \"input_ids\": [657, 658]}",
                                HELLO));
        assertEquals(1, r.exit());
        assertEquals("both", r.lines().get(0).get("id").asText());
        assertTrue(
                r.lines().get(0).get("error").asText().contains("both \"text\" and \"input_ids\""),
                r.lines().toString());
        assertFalse(r.lines().get(1).has("error"));
    }

    @Test
    void aTokenizerBeyondTheVocabularyIsNamedWithTheModelNotBlamedOnTheInput() throws IOException {
        Path model = smallVocabModel(tmp.resolve("small-vocab"));
        Run r =
                infer(
                        model,
                        lines(
                                "{\"id\": \"t\", \"text\": \"Hello world\"}",
                                "{\"id\": \"ids\", \"input_ids\": [1, 2, 3]}"));
        String error = r.lines().get(0).get("error").asText();
        assertTrue(
                error.contains(model.resolve("tokenizer.json").toString())
                        && error.contains("acme/tiny-300")
                        && error.contains("vocab_size 300"),
                error);
        assertFalse(error.contains("input_ids"), error);
        assertFalse(
                r.lines().get(1).has("error"),
                "input_ids within the vocabulary still run: " + r.lines().get(1));
    }

    /**
     * tiny-a with its embedding cut to 300 rows and vocab_size 300: its tokenizer's ids reach 658.
     */
    static Path smallVocabModel(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path src = CliTestSupport.tinyA();
        for (String f : List.of("tokenizer.json")) Files.copy(src.resolve(f), dir.resolve(f));
        ObjectNode config = (ObjectNode) JSON.readTree(src.resolve("config.json").toFile());
        config.put("vocab_size", 300).put("_name_or_path", "acme/tiny-300");
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        SafeTensorsWriter w = new SafeTensorsWriter();
        try (SafeTensorsFile f = SafeTensorsFile.open(src.resolve("model.safetensors"))) {
            for (TensorInfo t : f.tensors().values()) {
                float[] data = f.readFloats(t.name());
                long[] shape = t.shape();
                if (t.name().endsWith("embeddings.tok_embeddings.weight")) {
                    data = Arrays.copyOf(data, (int) (300 * shape[1]));
                    shape = new long[] {300, shape[1]};
                }
                w.add(t.name(), data, DType.F32, shape);
            }
        }
        w.write(dir.resolve("model.safetensors"));
        return dir;
    }
}
