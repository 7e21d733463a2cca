package io.streambert.service.validate;

import java.util.Locale;

/**
 * What a dead letter keeps of the input value (setting {@code dead.letter.text}): the original
 * bytes (they hold the text), or only a hash of the text, so a dead-letter topic never holds what a
 * user wrote.
 */
public enum DeadLetterText {
    /** The original value bytes (cut to dead.letter.max.payload.bytes). The default. */
    ORIGINAL,
    /**
     * No value: the message ends with the text's hash ({@code text_sha256=}, the same keyed hash as
     * the outputs' text_sha256) or, when the value did not decode to a text, the hash of the whole
     * value ({@code value_sha256=}).
     */
    HASH;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** "original" or "hash" (any case); anything else is an IllegalArgumentException. */
    public static DeadLetterText parse(String s) {
        for (DeadLetterText t : values())
            if (t.configName().equals(s == null ? "" : s.trim().toLowerCase(Locale.ROOT))) return t;
        throw new IllegalArgumentException(
                "dead.letter.text must be \"original\" or \"hash\", got \"" + s + "\"");
    }
}
