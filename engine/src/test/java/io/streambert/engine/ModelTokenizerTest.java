package io.streambert.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.EncoderOptions.Truncation;
import io.streambert.engine.TestModels.Case;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** tokenizer.json through DJL: reference ids, and both truncation policies at the limit. */
class ModelTokenizerTest {
    static final int CLS = 657, SEP = 658;

    static Case longCase() {
        return TestModels.cases().stream()
                .filter(c -> "t4".equals(c.id()))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void truncateKeepsClsAndSep() {
        Case c = longCase();
        assertTrue(c.inputIds().length > 20);
        try (ModelTokenizer t =
                ModelTokenizer.load(TestModels.tinyA(), 20, Truncation.TRUNCATE, SEP)) {
            int[] ids = t.encode(c.text());
            assertEquals(20, ids.length);
            assertEquals(CLS, ids[0]);
            assertEquals(SEP, ids[19]);
            assertArrayEquals(Arrays.copyOf(c.inputIds(), 19), Arrays.copyOf(ids, 19));
            assertArrayEquals(
                    new int[] {CLS, 72, 291, 540, 305, 270, 108, 100, SEP},
                    t.encode("Hello world"),
                    "short text untouched");
        }
    }

    @Test
    void exactlyAtTheLimitIsAccepted() {
        Case c = longCase();
        int n = c.inputIds().length;
        try (ModelTokenizer t =
                ModelTokenizer.load(TestModels.tinyA(), n, Truncation.REJECT, SEP)) {
            assertArrayEquals(c.inputIds(), t.encode(c.text()));
        }
        try (ModelTokenizer t =
                ModelTokenizer.load(TestModels.tinyA(), n - 1, Truncation.REJECT, SEP)) {
            InputRejectedException e =
                    assertThrows(InputRejectedException.class, () -> t.encode(c.text()));
            assertTrue(
                    e.getMessage().contains(n + " tokens") && e.getMessage().contains("reject"),
                    e.getMessage());
        }
    }

    @Test
    void encoderLimitIsTheSmallerOfConfigAndOption() {
        try (var e =
                io.streambert.engine.Encoders.open(
                        TestModels.tinyA(),
                        EncoderOptions.defaults().withDevice("cpu").withMaxTokens(5000))) {
            assertEquals(1024, e.info().maxTokens(), "max_position_embeddings caps the option");
        }
        try (var e =
                io.streambert.engine.Encoders.open(
                        TestModels.tinyA(),
                        EncoderOptions.defaults().withDevice("cpu").withMaxTokens(12))) {
            assertEquals(12, e.info().maxTokens());
            int[] ids = e.tokenize(longCase().text());
            assertEquals(12, ids.length);
            assertEquals(SEP, ids[11]);
        }
        try (var e =
                io.streambert.engine.Encoders.open(
                        TestModels.tinyA(),
                        EncoderOptions.defaults()
                                .withDevice("cpu")
                                .withMaxTokens(12)
                                .withTruncation(Truncation.REJECT))) {
            assertThrows(InputRejectedException.class, () -> e.tokenize(longCase().text()));
        }
    }

    /**
     * tokenizer.json files saved by transformers may carry truncation and padding settings; they
     * must not apply here.
     */
    @Test
    void truncationAndPaddingInTokenizerJsonAreIgnored(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var t =
                (com.fasterxml.jackson.databind.node.ObjectNode)
                        json.readTree(TestModels.tinyA().resolve("tokenizer.json").toFile());
        t.putObject("truncation")
                .put("direction", "Right")
                .put("max_length", 5)
                .put("strategy", "LongestFirst")
                .put("stride", 0);
        var pad = t.putObject("padding");
        pad.putObject("strategy").put("Fixed", 64);
        pad.put("direction", "Right").putNull("pad_to_multiple_of");
        pad.put("pad_id", 659).put("pad_type_id", 0).put("pad_token", "[PAD]");
        json.writeValue(tmp.resolve("tokenizer.json").toFile(), t);
        Case c = longCase();
        try (ModelTokenizer tok = ModelTokenizer.load(tmp, 1024, Truncation.TRUNCATE, SEP)) {
            assertArrayEquals(c.inputIds(), tok.encode(c.text()));
            assertArrayEquals(
                    new int[] {CLS, 72, 291, 540, 305, 270, 108, 100, SEP},
                    tok.encode("Hello world"));
        }
    }

    /** The service tokenizes from several threads at once. */
    @Test
    void concurrentTokenizingGivesTheSameIds() throws Exception {
        var cases = TestModels.cases().stream().filter(c -> c.text() != null).toList();
        try (ModelTokenizer t =
                        ModelTokenizer.load(TestModels.tinyA(), 1024, Truncation.TRUNCATE, SEP);
                var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
            for (int w = 0; w < 4; w++) {
                futures.add(
                        pool.submit(
                                () -> {
                                    for (int rep = 0; rep < 50; rep++) {
                                        for (Case c : cases)
                                            if (!Arrays.equals(c.inputIds(), t.encode(c.text())))
                                                return false;
                                    }
                                    return true;
                                }));
            }
            for (var f : futures) assertTrue(f.get());
        }
    }
}
