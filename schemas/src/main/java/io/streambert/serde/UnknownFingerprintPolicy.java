package io.streambert.serde;

import java.util.Arrays;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigException;

/**
 * What the Avro single-object decoder does with a writer-schema fingerprint it does not know
 * (config key {@value #CONFIG}). A fingerprint of another StreamBERT record type (wrong topic) is
 * always a bad record.
 */
public enum UnknownFingerprintPolicy {
    /** Throw {@link UnknownFingerprintException}: the caller pauses and retries. The default. */
    PAUSE,
    /**
     * Throw a {@link RejectedFieldException} ({@code header.fingerprint}): the record goes to the
     * dead letters.
     */
    DEAD_LETTER;

    public static final String CONFIG = "unknown.fingerprint.policy";

    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static UnknownFingerprintPolicy parse(Object value) {
        if (value == null || value.toString().isBlank()) {
            return PAUSE;
        }
        for (UnknownFingerprintPolicy p : values()) {
            if (p.configName().equals(value.toString().trim().toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new ConfigException(
                CONFIG,
                value,
                "must be one of "
                        + Arrays.stream(values())
                                .map(UnknownFingerprintPolicy::configName)
                                .toList());
    }
}
