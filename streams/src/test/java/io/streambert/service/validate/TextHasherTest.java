package io.streambert.service.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextHasherTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void unkeyedIsPlainSha256() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1
        assertEquals(
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                TextHasher.unkeyed().hex(utf8("abc")));
        assertFalse(TextHasher.keyed("").isKeyed());
    }

    @Test
    void keyedIsHmacSha256() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
        TextHasher h = TextHasher.keyed("Jefe");
        assertTrue(h.isKeyed());
        assertEquals(
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                h.hex(utf8("what do ya want for nothing?")));
    }

    @Test
    void aKeyedHashCannotBeMatchedByADictionaryOfPlainHashes() {
        String dictionaryEntry = TextHasher.unkeyed().hex(utf8("yes"));
        assertNotEquals(dictionaryEntry, TextHasher.keyed("k1").hex(utf8("yes")));
        assertNotEquals(
                TextHasher.keyed("k1").hex(utf8("yes")), TextHasher.keyed("k2").hex(utf8("yes")));
        assertEquals(
                TextHasher.keyed("k1").hex(utf8("yes")),
                TextHasher.keyed("k1").hex(utf8("yes")),
                "stable across instances");
    }
}
