package io.streambert.serde;

import java.util.HexFormat;

/**
 * Short renderings of raw bytes for error messages (never the whole payload: it may be large or
 * private).
 */
final class ByteDescriptions {
    private static final int SHOWN = 8;

    private ByteDescriptions() {}

    /** e.g. "0x7b2269 (42 bytes)". */
    static String head(byte[] bytes) {
        int n = Math.min(SHOWN, bytes.length);
        String hex = HexFormat.of().formatHex(bytes, 0, n);
        return "0x" + hex + (bytes.length > n ? "..." : "") + " (" + bytes.length + " bytes)";
    }

    /**
     * The deepest cause's message, so "Decoding datum failed" wrappers do not hide the real reason.
     */
    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage();
        return root.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    static boolean causedBy(Throwable t, Class<? extends Throwable> kind) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (kind.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
