package io.streambert.engine;

/**
 * What "empty" means for a text, in one place for the CLI and the service: a text is empty when it
 * holds no code point other than Unicode White_Space and Default_Ignorable_Code_Point (zero-width
 * spaces and joiners, bidirectional marks, variation selectors, the BOM, soft hyphens, tag
 * characters ...). Such a text shows nothing, so classifying it would only report what the model
 * does with its special tokens. Ranges from Unicode 15.1 (PropList.txt White_Space;
 * DerivedCoreProperties.txt Default_Ignorable_Code_Point).
 */
public final class EmptyText {
    private EmptyText() {}

    /** True for null, "", and any text of only whitespace and default-ignorable code points. */
    public static boolean isEmpty(CharSequence text) {
        if (text == null) return true;
        for (int i = 0; i < text.length(); ) {
            int cp = Character.codePointAt(text, i);
            if (!isWhiteSpace(cp) && !isDefaultIgnorable(cp)) return false;
            i += Character.charCount(cp);
        }
        return true;
    }

    /** Unicode's White_Space property. */
    public static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D)
                || cp == 0x20
                || cp == 0x85
                || cp == 0xA0
                || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028
                || cp == 0x2029
                || cp == 0x202F
                || cp == 0x205F
                || cp == 0x3000;
    }

    /** Unicode's Default_Ignorable_Code_Point property. */
    public static boolean isDefaultIgnorable(int cp) {
        return cp == 0x00AD
                || cp == 0x034F
                || cp == 0x061C
                || cp == 0x115F
                || cp == 0x1160
                || cp == 0x17B4
                || cp == 0x17B5
                || (cp >= 0x180B && cp <= 0x180F)
                || (cp >= 0x200B && cp <= 0x200F)
                || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x2060 && cp <= 0x206F)
                || cp == 0x3164
                || (cp >= 0xFE00 && cp <= 0xFE0F)
                || cp == 0xFEFF
                || cp == 0xFFA0
                || (cp >= 0xFFF0 && cp <= 0xFFF8)
                || (cp >= 0x1BCA0 && cp <= 0x1BCA3)
                || (cp >= 0x1D173 && cp <= 0x1D17A)
                || (cp >= 0xE0000 && cp <= 0xE0FFF);
    }
}
