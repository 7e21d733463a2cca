package io.streambert.service.validate;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code text_sha256} of outputs: HMAC-SHA256 keyed with {@code text.hash.key} when one is
 * configured, plain SHA-256 otherwise. An unkeyed hash of a short text is reversed with a
 * dictionary (hash every likely message and compare), so a deployment that publishes the hash where
 * the text must not be readable sets a key; the same key gives the same hash on every instance, so
 * the hash still joins records across topics.
 */
public final class TextHasher {
    private final byte[] key; // null: plain SHA-256
    private final ThreadLocal<Mac> macs;

    private TextHasher(byte[] key) {
        this.key = key;
        this.macs = key == null ? null : ThreadLocal.withInitial(this::newMac);
    }

    /** Plain SHA-256. */
    public static TextHasher unkeyed() {
        return new TextHasher(null);
    }

    /**
     * HMAC-SHA256 with {@code key} (UTF-8 bytes of the configured secret); unkeyed when it is null
     * or empty.
     */
    public static TextHasher keyed(String key) {
        return key == null || key.isEmpty()
                ? unkeyed()
                : new TextHasher(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public boolean isKeyed() {
        return key != null;
    }

    /** Lower-case hex of the hash of {@code utf8}. */
    public String hex(byte[] utf8) {
        try {
            byte[] digest =
                    key == null
                            ? MessageDigest.getInstance("SHA-256").digest(utf8)
                            : macs.get().doFinal(utf8);
            return HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has SHA-256 and HmacSHA256", e);
        }
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }
}
