package io.streambert.serde.json;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Finds the first byte that is not valid UTF-8, so the error can say where, not just "malformed".
 */
public final class Utf8Check {
    private Utf8Check() {}

    /**
     * Offset of the first malformed or truncated UTF-8 sequence, or -1 when all of {@code bytes} is
     * valid.
     */
    public static int firstInvalidOffset(byte[] bytes) {
        return firstInvalidOffset(bytes, 0, bytes.length);
    }

    /**
     * As {@link #firstInvalidOffset(byte[])} for {@code bytes[offset, offset + length)}; the result
     * is relative.
     */
    public static int firstInvalidOffset(byte[] bytes, int offset, int length) {
        CharsetDecoder dec =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length).slice();
        CharBuffer out = CharBuffer.allocate(Math.min(8192, length + 1));
        while (true) {
            CoderResult r = dec.decode(in, out, true);
            if (r.isError()) {
                return in.position();
            }
            if (r.isUnderflow()) {
                CoderResult f = dec.flush(out);
                return f.isError() ? in.position() : -1;
            }
            out.clear(); // overflow: we only want validity, drop the chars
        }
    }

    /**
     * Index of the first char of {@code s} that is a surrogate without its partner, or -1 when
     * there is none.
     */
    public static int firstUnpairedSurrogate(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
