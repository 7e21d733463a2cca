package io.streambert.service.validate;

import static io.streambert.service.testing.TopologyHarness.bytes;
import static org.junit.jupiter.api.Assertions.*;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.ModerationEvent;
import io.streambert.schemas.TextEvent;
import io.streambert.service.deadletter.Reason;
import io.streambert.service.ops.ServiceMetrics;
import io.streambert.service.testing.TestEncoder;
import io.streambert.service.testing.TopologyHarness;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Text a user or an attacker can send that is not what it seems: strings that are not Unicode
 * (escaped lone surrogates, raw bytes that are not UTF-8), fields of the wrong type, and texts that
 * show nothing or hide a word behind invisible characters.
 */
class HostileTextTest {
    @TempDir Path state;
    private final TestEncoder encoder = new TestEncoder(64);

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    private DeadLetter onlyDeadLetter(TopologyHarness h, byte[] value) {
        h.send("k", value);
        DeadLetter d = h.deadLetters().readValue();
        assertTrue(h.deadLetters().isEmpty());
        assertTrue(h.moderation("moderation").isEmpty(), "nothing classified");
        return d;
    }

    private static void assertReason(DeadLetter d, Reason reason, String field) {
        assertEquals(reason.name(), d.getErrorClass(), d.getErrorMessage());
        assertTrue(
                d.getErrorMessage().contains(field),
                "the message names " + field + ": " + d.getErrorMessage());
    }

    // ------------------------------------------------------------ not Unicode

    /** JSON lets "\ud800" through; Java would write it as '?', so the output id would differ. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"id\": \"a\\ud800\", \"text\": \"hi\"}|TextEvent.id",
                "{\"id\": \"a\", \"text\": \"h\\udc00i\"}|TextEvent.text",
                "{\"id\": \"a\", \"text\": \"hi\", \"attributes\": {\"k\\ud83d\": \"v\"}}|TextEvent.attributes",
                "{\"id\": \"a\", \"text\": \"hi\", \"attributes\": {\"lang\": \"x\\ud800\"}}|TextEvent.attributes.lang",
                "{\"id\": \"a\", \"text\": \"hi\", \"tenant\": \"\\udfff\"}|TextEvent.tenant",
            })
    void anEscapedLoneSurrogateIsBadSchemaNamingTheField(String json, String field) {
        try (var h = new TopologyHarness(TopologyHarness.config().build(), encoder, state)) {
            DeadLetter d = onlyDeadLetter(h, bytes(json));
            assertReason(d, Reason.BAD_SCHEMA, field);
            assertTrue(d.getErrorMessage().contains("surrogate"), d.getErrorMessage());
        }
    }

    /** The same strings as raw bytes: not UTF-8, and the same reason as the escaped form. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"id\": \"a@\", \"text\": \"hi\"}|TextEvent.id",
                "{\"id\": \"a\", \"text\": \"h@i\"}|TextEvent.text",
                "{\"id\": \"a\", \"text\": \"hi\", \"attributes\": {\"lang\": \"x@\"}}|TextEvent.attributes.lang",
            })
    void rawInvalidUtf8InJsonIsBadSchemaNamingTheFieldLikeTheEscapedForm(
            String jsonAroundBadBytes, String field) {
        String[] parts = jsonAroundBadBytes.split("@", -1);
        // ED A0 80 is U+D800 written as if it were a character (CESU-8); FF is never UTF-8.
        for (byte[] bad : new byte[][] {{(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}}) {
            try (var h = new TopologyHarness(TopologyHarness.config().build(), encoder, state)) {
                DeadLetter d = onlyDeadLetter(h, concat(bytes(parts[0]), bad, bytes(parts[1])));
                assertReason(d, Reason.BAD_SCHEMA, field);
                assertTrue(d.getErrorMessage().contains("UTF-8"), d.getErrorMessage());
            }
        }
    }

    /**
     * Whatever decoder produced the event (a custom one, a future one): validation itself refuses a
     * string that is not Unicode, naming the field.
     */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "id|TextEvent.id",
                "text|TextEvent.text",
                "tenant|TextEvent.tenant",
                "attribute key|TextEvent.attributes.k",
                "attribute value|TextEvent.attributes.k",
            })
    void aLoneSurrogateFromAnyDecoderIsBadSchemaNamingTheField(String where, String field) {
        String bad = "x\uD800";
        TextEvent.Builder b = TextEvent.newBuilder().setId("id").setText("text");
        switch (where) {
            case "id" -> b.setId(bad);
            case "text" -> b.setText(bad);
            case "tenant" -> b.setTenant(bad);
            case "attribute key" -> b.setAttributes(Map.of("k" + bad, "v"));
            default -> b.setAttributes(Map.of("k", bad));
        }
        TextEvent event = b.build();
        ValidateProcessor p =
                new ValidateProcessor(
                        (topic, data) -> event, // a decoder that lets it through
                        encoder,
                        TopologyHarness.config().build().inputLimits(),
                        "batch",
                        "dead",
                        new ServiceMetrics(new SimpleMeterRegistry()));
        MockProcessorContext<byte[], Object> ctx = new MockProcessorContext<>();
        ctx.setCurrentSystemTimeMs(1_000_000L);
        p.init(ctx);
        ctx.setRecordMetadata("text", 0, 1);
        p.process(new Record<>(bytes("k"), bytes("anything"), 1_000L));
        assertEquals(1, ctx.forwarded().size());
        assertEquals("dead", ctx.forwarded().get(0).childName().orElseThrow());
        DeadLetter d = (DeadLetter) ctx.forwarded().get(0).record().value();
        assertReason(d, Reason.BAD_SCHEMA, field);
    }

    @Test
    void rawInvalidUtf8InAnAvroStringIsBadSchemaNamingTheField() {
        byte[] good = TopologyHarness.textEvent("id-\u2603", "hello");
        byte[] snowman = "\u2603".getBytes(StandardCharsets.UTF_8);
        byte[] bad = good.clone();
        int at = indexOf(bad, snowman);
        assertTrue(at > 0);
        bad[at] = (byte) 0xED; // ED A0 80: a lone surrogate in CESU-8, same length as the snowman
        bad[at + 1] = (byte) 0xA0;
        bad[at + 2] = (byte) 0x80;
        try (var h = new TopologyHarness(TopologyHarness.config().build(), encoder, state)) {
            assertReason(onlyDeadLetter(h, bad), Reason.BAD_SCHEMA, "TextEvent.id");
        }
    }

    @Test
    void bytesOfNoKnownEncodingStayUndecodable() {
        try (var h = new TopologyHarness(TopologyHarness.config().build(), encoder, state)) {
            // Invalid UTF-8 but not in any encoding we know: UNDECODABLE (the framing decides).
            DeadLetter d = onlyDeadLetter(h, new byte[] {(byte) 0xFF, (byte) 0xFE, 'x'});
            assertEquals(Reason.UNDECODABLE.name(), d.getErrorClass());
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"id\": 7, \"text\": \"hi\"}|TextEvent.id",
                "{\"text\": \"hi\"}|TextEvent.id",
                "{\"id\": \"a\"}|TextEvent.text",
                "{\"id\": \"a\", \"text\": [\"hi\"]}|TextEvent.text",
                "{\"id\": \"a\", \"text\": \"hi\", \"event_time\": \"yesterday\"}|TextEvent.event_time",
                "{\"id\": \"a\", \"text\": \"hi\", \"attributes\": {\"n\": 3}}|TextEvent.attributes.n",
            })
    void aFieldOfTheWrongTypeOrMissingIsBadSchemaNamingTheField(String json, String field) {
        try (var h = new TopologyHarness(TopologyHarness.config().build(), encoder, state)) {
            assertReason(onlyDeadLetter(h, bytes(json)), Reason.BAD_SCHEMA, field);
        }
    }

    // ------------------------------------------------------------ text that shows nothing

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\u200B", // zero-width space
                "\u200B\u200C\u200D\u2060\uFEFF", // zero-width characters and the BOM
                "\u202A\u202E\u200E\u200F\u2066\u2069", // bidirectional formatting only
                "\u00AD\u034F\uFE0F", // soft hyphen, grapheme joiner, variation selector
                " \u00A0\u3000\u2028\t", // Unicode whitespace beyond ASCII
                "\u200B \u00A0\u200D", // both
            })
    void textOfOnlyWhitespaceAndInvisibleCharactersIsEmptyText(String text) {
        try (var h = new TopologyHarness(TopologyHarness.config().build(), encoder, state)) {
            DeadLetter d = onlyDeadLetter(h, TopologyHarness.textEvent("e", text));
            assertReason(d, Reason.EMPTY_TEXT, "TextEvent.text");
        }
    }

    @Test
    void tagCharactersOutsideTheBmpAreEmptyToo() {
        String tags =
                new String(Character.toChars(0xE0041)) + new String(Character.toChars(0xE007F));
        try (var h = new TopologyHarness(TopologyHarness.config().build(), encoder, state)) {
            assertReason(
                    onlyDeadLetter(h, TopologyHarness.textEvent("e", tags)),
                    Reason.EMPTY_TEXT,
                    "TextEvent.text");
        }
    }

    @Test
    void aVisibleCharacterAmongInvisibleOnesIsClassified() {
        try (var h = new TopologyHarness(TopologyHarness.config().build(), encoder, state)) {
            h.send("k", TopologyHarness.textEvent("e", "\u200B.\u200B"));
            assertTrue(h.deadLetters().isEmpty());
            assertEquals(1, h.moderation("moderation").readValuesToList().size());
        }
    }

    private String labelOf(ValidationOptions options, String text) {
        try (var h =
                new TopologyHarness(TopologyHarness.config().build(), encoder, state, options)) {
            h.send("k", TopologyHarness.textEvent("e", text));
            assertTrue(h.deadLetters().isEmpty());
            ModerationEvent m = h.moderation("moderation").readValue();
            return m.getLabel();
        }
    }

    /** The test encoder flags the word "bad": hidden behind a zero-width space it must still. */
    @Test
    void aWordSplitByAZeroWidthSpaceIsClassifiedLikeTheWord() {
        ValidationOptions on = ValidationOptions.defaults();
        assertTrue(on.normalizeText(), "normalization is on by default");
        assertEquals("flagged", labelOf(on, "you are bad"));
        assertEquals("flagged", labelOf(on, "you are b\u200Bad"));
        assertEquals("flagged", labelOf(on, "you are b\u00ADa\u2060d"));
        assertEquals("flagged", labelOf(on, "you are \uFF42\uFF41\uFF44"), "fullwidth, by NFKC");
        // Switched off, the model sees the characters as sent (the test encoder's own view).
        ValidationOptions off = on.withNormalizeText(false);
        assertEquals("ok", labelOf(off, "you are b\u200Bad"));
        assertEquals("ok", labelOf(off, "you are \uFF42\uFF41\uFF44"));
    }

    @Test
    void normalizationIsOnByDefaultAndSwitchedOffByTextNormalize() {
        var off = TopologyHarness.config().set("text.normalize", false).build();
        assertTrue(TopologyHarness.config().build().validation().normalizeText());
        try (var h = new TopologyHarness(off, encoder, state)) {
            h.send("k", TopologyHarness.textEvent("e", "you are b\u200Bad"));
            assertEquals("ok", h.moderation("moderation").readValue().getLabel());
        }
    }

    @Test
    void theHashIsOfTheTextAsSentNotAsNormalized() throws Exception {
        try (var h = new TopologyHarness(TopologyHarness.config().build(), encoder, state)) {
            h.send("k", TopologyHarness.textEvent("a", "b\u200Bad"));
            h.send("k", TopologyHarness.textEvent("b", "bad"));
            var e = h.embedding("embedding").readValuesToList();
            assertEquals(
                    java.util.HexFormat.of()
                            .formatHex(
                                    java.security.MessageDigest.getInstance("SHA-256")
                                            .digest("b\u200Bad".getBytes(StandardCharsets.UTF_8))),
                    e.get(0).getTextSha256());
            assertNotEquals(e.get(0).getTextSha256(), e.get(1).getTextSha256());
        }
    }

    @Test
    void theInferCommandAndTheServiceShareOneDefinitionOfEmpty() {
        // InferLine (app) calls EmptyText.isEmpty too; here: the service's definition is that one.
        for (String s : new String[] {"\u200B", "\u2060\u00A0", "\u180E", "\u115F"})
            assertEquals(
                    io.streambert.engine.EmptyText.isEmpty(s),
                    deadLetteredAsEmpty(s),
                    "U+" + Integer.toHexString(s.codePointAt(0)));
    }

    private boolean deadLetteredAsEmpty(String text) {
        try (var h = new TopologyHarness(TopologyHarness.config().build(), encoder, state)) {
            h.send("k", TopologyHarness.textEvent("e", text));
            if (h.deadLetters().isEmpty()) return false;
            return h.deadLetters().readValue().getErrorClass().equals(Reason.EMPTY_TEXT.name());
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
