package io.streambert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Golden data in test resources (copied from ../shared/golden) and helpers to run the CLI and read
 * its output.
 */
final class CliTestSupport {
    private CliTestSupport() {}

    static final ObjectMapper JSON = new ObjectMapper();

    static Path tinyA() {
        try {
            return Path.of(CliTestSupport.class.getResource("/golden/tiny-a").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<JsonNode> cases() {
        return readJsonl(tinyA().resolve("cases.jsonl"));
    }

    static List<JsonNode> readJsonl(Path file) {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8))
                out.add(JSON.readTree(line));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float[] floats(JsonNode array) {
        float[] a = new float[array.size()];
        for (int i = 0; i < a.length; i++) a[i] = (float) array.get(i).asDouble();
        return a;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) return Float.POSITIVE_INFINITY;
        float m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    /** Exit code and what the command printed on stdout. */
    record Result(int exit, String stdout) {}

    static synchronized Result run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            int exit = StreamBertCli.execute(args);
            capture.flush();
            return new Result(exit, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }
}
