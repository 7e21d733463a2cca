package io.streambert.service.config;

import io.streambert.engine.DeviceSpec;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The validators of {@link ConfigKeys#DEFINITION}. Each throws Kafka's {@link ConfigException} with
 * only what is wrong ("0 is outside [1, 65536]"); {@link ServiceConfig} puts the key and the
 * value's origin in front. {@code toString()} is the "valid values" column of the generated table.
 */
final class ConfigValidators {
    private ConfigValidators() {}

    /** A whole number in [min, max]. */
    static ConfigDef.Validator between(long min, long max) {
        return validator(
                "[" + min + ", " + max + "]",
                v -> {
                    long n = ((Number) v).longValue();
                    if (n < min || n > max)
                        throw new ConfigException(n + " is outside [" + min + ", " + max + "]");
                });
    }

    /** A number in [0, 1]. */
    static ConfigDef.Validator probability() {
        return validator(
                "[0, 1]",
                v -> {
                    double d = ((Number) v).doubleValue();
                    if (!(d >= 0 && d <= 1))
                        throw new ConfigException(d + " is not a probability in [0, 1]");
                });
    }

    /** A string that is not empty. */
    static ConfigDef.Validator nonEmpty() {
        return validator(
                "non-empty",
                v -> {
                    if (v == null || v.toString().isEmpty())
                        throw new ConfigException("must not be empty");
                });
    }

    /** A list with at least one element. */
    static ConfigDef.Validator nonEmptyList(String problem) {
        return validator(
                "non-empty list",
                v -> {
                    if (v == null || ((List<?>) v).isEmpty()) throw new ConfigException(problem);
                });
    }

    /** One of {@code choices}, case-insensitive; the error says "'x' is not " + {@code listing}. */
    static ConfigDef.Validator oneOf(String listing, String... choices) {
        return validator(
                String.join(", ", choices),
                v -> {
                    String s = v.toString().toLowerCase(Locale.ROOT);
                    if (!List.of(choices).contains(s))
                        throw new ConfigException("'" + s + "' is not " + listing);
                });
    }

    /** A device the engine's {@link DeviceSpec} accepts. */
    static ConfigDef.Validator device() {
        return validator(
                DeviceSpec.CHOICES.replace(" | ", ", "),
                v -> {
                    String s = v.toString().toLowerCase(Locale.ROOT);
                    try {
                        DeviceSpec.parse(s);
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(
                                "'" + s + "' is not one of " + DeviceSpec.CHOICES);
                    }
                });
    }

    /** A replication factor: 1..32, or -1 for the broker's default. */
    static ConfigDef.Validator replicationFactor() {
        ConfigDef.Validator range = between(-1, 32);
        return validator(
                "-1, [1, 32]",
                v -> {
                    range.ensureValid("", v);
                    if (((Number) v).longValue() == 0)
                        throw new ConfigException(
                                "0 is not a replication factor (-1 = broker default)");
                });
    }

    private interface Check {
        void check(Object value);
    }

    private static ConfigDef.Validator validator(String shown, Check check) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                check.check(value);
            }

            @Override
            public String toString() {
                return shown;
            }
        };
    }
}
