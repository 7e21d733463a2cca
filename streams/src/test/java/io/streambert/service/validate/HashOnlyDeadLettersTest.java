package io.streambert.service.validate;

import static io.streambert.service.testing.TopologyHarness.bytes;
import static org.junit.jupiter.api.Assertions.*;

import io.streambert.schemas.DeadLetter;
import io.streambert.service.deadletter.Reason;
import io.streambert.service.testing.TestEncoder;
import io.streambert.service.testing.TopologyHarness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under dead.letter.text=hash a dead letter keeps no value (so no text), only the text's keyed
 * hash, for rejections in validation and failures in inference alike; the default keeps the
 * original bytes.
 */
class HashOnlyDeadLettersTest {
    @TempDir Path state;
    private static final String KEY = "a-secret-of-this-deployment";

    private static String hmac(byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(data));
    }

    private TopologyHarness harness(DeadLetterText text) {
        return new TopologyHarness(
                TopologyHarness.config()
                        .set("text.hash.key", KEY)
                        .set("text.max.bytes", 40)
                        .set("dead.letter.text", text.configName())
                        .build(),
                new TestEncoder(),
                state);
    }

    private static void assertWithheld(
            DeadLetter d, String secretText, String hashField, String hash) {
        assertNull(d.getValue(), "no value: " + d);
        assertFalse(d.getErrorMessage().contains(secretText), d.getErrorMessage());
        assertTrue(
                d.getErrorMessage().contains(hashField + "=" + hash),
                "the message holds " + hashField + ": " + d.getErrorMessage());
    }

    @Test
    void aTextRejectedByValidationKeepsOnlyItsHash() throws Exception {
        String text = "my phone number is 555 0100 and this is far too long";
        try (var h = harness(DeadLetterText.HASH)) {
            h.send("k", TopologyHarness.textEvent("e1", text));
            DeadLetter d = h.deadLetters().readValue();
            assertEquals(Reason.TEXT_TOO_LONG.name(), d.getErrorClass());
            assertWithheld(
                    d, "555 0100", "text_sha256", hmac(text.getBytes(StandardCharsets.UTF_8)));
            assertEquals("text", d.getTopic(), "the position is kept");
            assertEquals(0, d.getOffset());
        }
    }

    @Test
    void aTextThatFailedInInferenceKeepsOnlyItsHash() throws Exception {
        String text = "secret poison words";
        try (var h = harness(DeadLetterText.HASH)) {
            h.send("k", TopologyHarness.textEvent("e2", text)); // "poison" fails on the device
            DeadLetter d = h.deadLetters().readValue();
            assertEquals(Reason.INFERENCE_FAILED.name(), d.getErrorClass());
            assertWithheld(d, "secret", "text_sha256", hmac(text.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void aValueThatIsNoTextEventKeepsOnlyTheHashOfItsBytes() throws Exception {
        byte[] value = bytes("{\"id\": 5, \"text\": \"call me at 555 0199\"}");
        try (var h = harness(DeadLetterText.HASH)) {
            h.send("k", value);
            DeadLetter d = h.deadLetters().readValue();
            assertEquals(Reason.BAD_SCHEMA.name(), d.getErrorClass());
            assertWithheld(d, "555 0199", "value_sha256", hmac(value));
        }
    }

    @Test
    void byDefaultTheOriginalValueIsKept() {
        byte[] value = TopologyHarness.textEvent("e3", "x".repeat(41));
        try (var h = harness(DeadLetterText.ORIGINAL)) {
            h.send("k", value);
            DeadLetter d = h.deadLetters().readValue();
            byte[] kept = new byte[d.getValue().remaining()];
            d.getValue().duplicate().get(kept);
            assertArrayEquals(value, kept);
        }
        assertEquals(DeadLetterText.ORIGINAL, ValidationOptions.defaults().deadLetterText());
    }
}
