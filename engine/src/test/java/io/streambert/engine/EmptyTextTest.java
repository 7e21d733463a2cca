package io.streambert.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * "Empty" = only Unicode White_Space and Default_Ignorable_Code_Point; anything visible makes a
 * text non-empty.
 */
class EmptyTextTest {
    @Test
    void whitespaceAndInvisibleCharactersAreEmpty() {
        for (String s :
                new String[] {
                    "",
                    " ",
                    "\t\n\r\u000B\f",
                    "\u0085\u00A0\u1680\u2000\u200A\u2028\u2029\u202F\u205F\u3000",
                    "\u00AD",
                    "\u034F",
                    "\u061C",
                    "\u115F\u1160",
                    "\u17B4\u17B5",
                    "\u180B\u180E\u180F",
                    "\u200B\u200C\u200D\u200E\u200F",
                    "\u202A\u202E",
                    "\u2060\u2064\u206F",
                    "\u3164",
                    "\uFE00\uFE0F",
                    "\uFEFF",
                    "\uFFA0",
                    "\uFFF0\uFFF8",
                    new String(Character.toChars(0x1BCA0)),
                    new String(Character.toChars(0x1D173)) + new String(Character.toChars(0x1D17A)),
                    new String(Character.toChars(0xE0001)) + new String(Character.toChars(0xE0FFF))
                }) {
            assertTrue(
                    EmptyText.isEmpty(s),
                    "empty: " + s.codePoints().mapToObj(Integer::toHexString).toList());
        }
        assertTrue(EmptyText.isEmpty(null));
    }

    @Test
    void anyVisibleCharacterMakesItNonEmpty() {
        for (String s :
                new String[] {
                    "a",
                    "\u200Bx\u200B",
                    "i\u200Bdiot",
                    ".",
                    "\u00A0-",
                    "🤖",
                    "\u0301",
                    "\uFFFD",
                    "\u2061x",
                    "\u180A",
                    "\u2065a",
                    new String(Character.toChars(0xE1000))
                }) {
            assertFalse(
                    EmptyText.isEmpty(s),
                    "not empty: " + s.codePoints().mapToObj(Integer::toHexString).toList());
        }
        // Just outside the ranges: U+200A is space (empty), U+2010 (hyphen) is visible; U+1BCA4 is
        // not ignorable.
        assertFalse(EmptyText.isEmpty("\u2010"));
        assertFalse(EmptyText.isEmpty(new String(Character.toChars(0x1BCA4))));
        assertFalse(
                EmptyText.isEmpty("\u001C"),
                "an information separator is a control, not White_Space");
    }
}
