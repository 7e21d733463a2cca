package io.streambert.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The golden test data copied from ../shared/golden (see the README there): where it is and how to
 * read it.
 */
public final class TestModels {
    private TestModels() {}

    /** One line of cases.jsonl: text and expectedLabel may be null. */
    public record Case(String id, String text, int[] inputIds, String expectedLabel) {}

    public static Path resource(String name) {
        try {
            return Path.of(TestModels.class.getResource("/golden/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path tinyA() {
        return resource("tiny-a");
    }

    public static List<Case> cases() {
        return cases(tinyA());
    }

    /** cases.jsonl of a golden model directory; expected_label may be absent (null). */
    public static List<Case> cases(Path dir) {
        try {
            ObjectMapper json = new ObjectMapper();
            List<Case> out = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve("cases.jsonl"))) {
                if (line.isBlank()) continue;
                JsonNode n = json.readTree(line);
                JsonNode ids = n.get("input_ids");
                int[] a = new int[ids.size()];
                for (int i = 0; i < a.length; i++) a[i] = ids.get(i).asInt();
                out.add(
                        new Case(
                                n.get("id").asText(),
                                n.hasNonNull("text") ? n.get("text").asText() : null,
                                a,
                                n.hasNonNull("expected_label")
                                        ? n.get("expected_label").asText()
                                        : null));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies every regular file of {@code from} into {@code to} (created). */
    public static Path copyDir(Path from, Path to) {
        try {
            Files.createDirectories(to);
            try (var files = Files.list(from)) {
                for (Path p : files.toList())
                    if (Files.isRegularFile(p)) Files.copy(p, to.resolve(p.getFileName()));
            }
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length)
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        float m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return Float.isNaN(m) ? Float.POSITIVE_INFINITY : m;
    }
}
