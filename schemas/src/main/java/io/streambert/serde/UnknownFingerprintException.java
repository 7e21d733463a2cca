package io.streambert.serde;

import org.apache.kafka.common.errors.RetriableException;

/**
 * An Avro single-object value whose writer-schema fingerprint is not one this release knows, under
 * the {@link UnknownFingerprintPolicy#PAUSE} policy: most likely a producer already on a newer
 * schema than this consumer (a deployment-order problem, not bad data). Deliberately NOT a {@link
 * org.apache.kafka.common.errors.SerializationException}: the caller must not dead-letter the
 * record but pause the partition until a release that knows the schema is deployed (or the policy
 * is changed).
 */
public final class UnknownFingerprintException extends RetriableException {
    private final long fingerprint;

    public UnknownFingerprintException(String message, long fingerprint) {
        super(message);
        this.fingerprint = fingerprint;
    }

    public long fingerprint() {
        return fingerprint;
    }
}
