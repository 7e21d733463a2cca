package io.streambert.engine;

import java.text.Normalizer;

/**
 * The text a classifier should see, so that what a reader sees and what the model sees agree:
 * default-ignorable code points (zero-width spaces and joiners, bidirectional marks, variation
 * selectors, tag characters, soft hyphens; see {@link EmptyText#isDefaultIgnorable}) are removed,
 * then Unicode NFKC folds compatibility forms (fullwidth letters, ligatures, circled and styled
 * letters) into their plain characters. So "i\u200Bdiot" and fullwidth "ｉｄｉｏｔ" are both read as
 * "idiot". Used by the service before tokenizing when {@code text.normalize=nfkc} (the default for
 * moderation).
 */
public final class TextNormalization {
    private TextNormalization() {}

    public static String forClassification(String text) {
        if (text == null) return null;
        StringBuilder kept = null;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = Character.charCount(cp);
            if (EmptyText.isDefaultIgnorable(cp)) {
                if (kept == null) kept = new StringBuilder(text.length()).append(text, 0, i);
            } else if (kept != null) {
                kept.appendCodePoint(cp);
            }
            i += n;
        }
        String visible = kept == null ? text : kept.toString();
        return Normalizer.isNormalized(visible, Normalizer.Form.NFKC)
                ? visible
                : Normalizer.normalize(visible, Normalizer.Form.NFKC);
    }
}
