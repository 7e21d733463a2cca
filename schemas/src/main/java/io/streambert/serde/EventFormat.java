package io.streambert.serde;

import java.util.Arrays;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigException;

/**
 * The encoding serializers write. Deserializers read all three regardless (see {@link
 * AnyEncodingDecoder}).
 */
public enum EventFormat {
    /** Avro single-object encoding, no registry needed: the default. */
    AVRO,
    /** Confluent wire format (magic 0 + schema id) with a schema registry. */
    CONFLUENT,
    /** Plain JSON objects. */
    JSON;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EventFormat parse(String name) {
        if (name == null || name.isBlank()) {
            return AVRO;
        }
        for (EventFormat f : values()) {
            if (f.configName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new ConfigException(
                "format",
                name,
                "must be one of " + Arrays.stream(values()).map(EventFormat::configName).toList());
    }
}
