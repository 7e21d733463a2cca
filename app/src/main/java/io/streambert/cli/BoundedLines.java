package io.streambert.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads UTF-8 lines of at most {@code maxBytes} bytes (the '\n' and a trailing '\r' not counted)
 * from a stream. A longer line is not held: its first {@value #KEPT_PREFIX} bytes are kept (to find
 * its id), the rest is skipped up to the next '\n', and it comes back as {@link Line#tooLong()}
 * with its length. So a 2 GB line costs a few KiB, and the lines after it are still read. Invalid
 * UTF-8 is reported per line, never replaced.
 */
final class BoundedLines implements AutoCloseable {
    /** Bytes of an over-long line kept so its "id" can still be echoed. */
    static final int KEPT_PREFIX = 4096;

    /**
     * One line: its text, or why there is none (too long, or not UTF-8) with its byte length and
     * first bytes.
     */
    record Line(String text, boolean tooLong, long bytes, byte[] prefix, String utf8Error) {}

    private final InputStream in;
    private final int maxBytes;
    private final byte[] buf = new byte[64 * 1024];
    private int pos, end;
    private boolean eof;

    BoundedLines(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** The next line, or null at the end of the input. */
    Line next() throws IOException {
        byte[] line = new byte[Math.min(maxBytes, 256)];
        int len = 0;
        long total = 0;
        boolean any = false;
        while (true) {
            if (pos == end) {
                if (eof || !fill()) {
                    if (!any) return null;
                    break;
                }
            }
            any = true;
            int nl = -1;
            for (int i = pos; i < end; i++) {
                if (buf[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int stop = nl < 0 ? end : nl;
            int chunk = stop - pos;
            // Keep bytes while the line may still fit (plus a possible trailing '\r'); past that,
            // only the prefix.
            long room = (total <= maxBytes ? maxBytes + 1L : KEPT_PREFIX) - len;
            int keep = (int) Math.max(0, Math.min(chunk, room));
            if (keep > 0) {
                if (len + keep > line.length)
                    line =
                            Arrays.copyOf(
                                    line,
                                    (int)
                                            Math.min(
                                                    Math.max(2L * line.length, len + keep),
                                                    maxBytes + 1L));
                System.arraycopy(buf, pos, line, len, keep);
                len += keep;
            }
            total += chunk;
            pos = stop;
            if (nl >= 0) {
                pos++; // consume '\n'
                break;
            }
        }
        long content = total;
        if (len > 0 && content <= maxBytes + 1L && line[len - 1] == '\r' && len == content) {
            len--;
            content--;
        }
        if (content > maxBytes) {
            return new Line(
                    null, true, content, Arrays.copyOf(line, Math.min(len, KEPT_PREFIX)), null);
        }
        try {
            String text =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(line, 0, len))
                            .toString();
            return new Line(text, false, content, null, null);
        } catch (CharacterCodingException e) {
            return new Line(
                    null,
                    false,
                    content,
                    null,
                    "not valid UTF-8 at byte " + firstInvalid(line, len));
        }
    }

    private static int firstInvalid(byte[] b, int len) {
        var dec =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b, 0, len);
        CharBuffer out = CharBuffer.allocate(Math.max(16, len));
        var r = dec.decode(in, out, true);
        return r.isError() ? in.position() : len;
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            eof = true;
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
