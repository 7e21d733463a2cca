package io.streambert.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayTextsTest {

    @Test
    void jsonlTextsReplayInFileOrderAndCycle(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("emails.jsonl");
        Files.writeString(
                f,
                "{\"id\":\"a\",\"text\":\"Buy now\\nfree\"}\n\n{\"id\":\"b\",\"label\":\"ham\",\"text\":\"See you at 3\"}\n{\"text\":\"  \"}\n");
        ReplayTexts r = ReplayTexts.read(f);
        assertEquals(2, r.size());
        assertEquals("Buy now\nfree", r.text(0));
        assertEquals("See you at 3", r.text(1));
        assertEquals("Buy now\nfree", r.text(2));
    }

    @Test
    void plainLinesAreTexts(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.txt");
        Files.writeString(f, "first message\nsecond one\n");
        ReplayTexts r = ReplayTexts.read(f);
        assertEquals("second one", r.text(1));
        assertEquals("first message", r.text(4));
    }

    @Test
    void badFilesAreNamedWithTheProblem(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.jsonl");
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> ReplayTexts.read(missing))
                        .getMessage()
                        .contains("nope.jsonl"));
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"text\":\"ok\"}\n{\"id\":1}\n");
        String m =
                assertThrows(IllegalArgumentException.class, () -> ReplayTexts.read(bad))
                        .getMessage();
        assertTrue(m.contains("bad.jsonl:2") && m.contains("\"text\""), m);
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "\n\n");
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> ReplayTexts.read(empty))
                        .getMessage()
                        .contains("no texts"));
    }
}
