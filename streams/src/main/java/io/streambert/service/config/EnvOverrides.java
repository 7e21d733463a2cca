package io.streambert.service.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps {@code STREAMBERT_*} environment variables onto config keys, so a container can be
 * configured without a file: strip the prefix, lower-case, {@code __} becomes a literal {@code _},
 * and every other {@code _} becomes a dot. {@code STREAMBERT_BATCH_MAX_RECORDS=32} sets {@code
 * batch.max.records}, {@code STREAMBERT_KAFKA_SASL_JAAS_CONFIG} sets {@code
 * kafka.sasl.jaas.config}, {@code STREAMBERT_THRESHOLD_SEVERE__TOXIC} sets {@code
 * threshold.severe_toxic}.
 *
 * <p>Variables the launcher itself reads ({@code STREAMBERT_DEBUG}, {@code STREAMBERT_CONFIG},
 * {@code STREAMBERT_JAVA_OPTS}) are not config keys and are skipped.
 */
public final class EnvOverrides {
    private EnvOverrides() {}

    public static final String PREFIX = "STREAMBERT_";
    private static final java.util.Set<String> NOT_CONFIG =
            java.util.Set.of("STREAMBERT_DEBUG", "STREAMBERT_CONFIG", "STREAMBERT_JAVA_OPTS");

    /**
     * Config key for one environment variable name, or null when the variable is not a config
     * override.
     */
    public static String keyFor(String variable) {
        if (!variable.startsWith(PREFIX)
                || variable.length() == PREFIX.length()
                || NOT_CONFIG.contains(variable)) return null;
        String rest = variable.substring(PREFIX.length()).toLowerCase(java.util.Locale.ROOT);
        return rest.replace("__", "\u0000").replace('_', '.').replace('\u0000', '_');
    }

    /** key -> value for every override in {@code env}, in the environment's iteration order. */
    public static Map<String, String> from(Map<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        env.forEach(
                (name, value) -> {
                    String key = keyFor(name);
                    if (key != null) out.put(key, value);
                });
        return out;
    }
}
