package io.streambert.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class TextNormalizationTest {
    @Test
    void invisibleCharactersAreRemovedAndCompatibilityFormsFolded() {
        assertEquals("idiot", TextNormalization.forClassification("i\u200Bdiot"));
        assertEquals(
                "idiot",
                TextNormalization.forClassification("i\u200D\u2060d\u00ADi\uFE0Fo\u200Et"));
        assertEquals(
                "idiot",
                TextNormalization.forClassification("\uFF49\uFF44\uFF49\uFF4F\uFF54")); // fullwidth
        assertEquals("fine", TextNormalization.forClassification("\uFB01ne")); // the fi ligature
        assertEquals(
                "idiot",
                TextNormalization.forClassification(
                        "i" + new String(Character.toChars(0xE0064)) + "diot"));
    }

    @Test
    void plainTextIsLeftAlone() {
        String s = "Grüße, 世界 🤖";
        assertSame(s, TextNormalization.forClassification(s));
        assertEquals("Ä", TextNormalization.forClassification("A\u0308"), "NFKC composes");
    }
}
