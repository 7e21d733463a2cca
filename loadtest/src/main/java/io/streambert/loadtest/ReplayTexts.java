package io.streambert.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays a corpus in file order, cycling when the run sends more events than it holds: a JSONL
 * file whose lines carry a "text" field (such as the training recipe's emails.jsonl, see
 * training/README.md), or a plain text file with one text per line. Lines without text are skipped;
 * a file with none is refused with its name.
 */
final class ReplayTexts implements TextSource {
    private final List<String> texts;

    private ReplayTexts(List<String> texts) {
        this.texts = texts;
    }

    static ReplayTexts read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "--replay " + file + ": cannot read: " + e.getMessage(), e);
        }
        ObjectMapper json = new ObjectMapper();
        List<String> out = new ArrayList<>();
        int n = 0;
        for (String line : lines) {
            n++;
            String s = line.strip();
            if (s.isEmpty()) continue;
            if (s.startsWith("{")) {
                JsonNode node;
                try {
                    node = json.readTree(s);
                } catch (IOException e) {
                    throw new IllegalArgumentException(
                            "--replay " + file + ":" + n + ": not valid JSON: " + e.getMessage(),
                            e);
                }
                JsonNode t = node.get("text");
                if (t == null || !t.isTextual())
                    throw new IllegalArgumentException(
                            "--replay "
                                    + file
                                    + ":"
                                    + n
                                    + ": a JSON line needs a string field \"text\"");
                if (!t.asText().isBlank()) out.add(t.asText());
            } else {
                out.add(line);
            }
        }
        if (out.isEmpty())
            throw new IllegalArgumentException("--replay " + file + ": no texts in the file");
        return new ReplayTexts(List.copyOf(out));
    }

    int size() {
        return texts.size();
    }

    @Override
    public String text(long index) {
        return texts.get((int) (index % texts.size()));
    }
}
