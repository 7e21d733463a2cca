package io.streambert.service.config;

import static io.streambert.service.config.ConfigKeys.DEFINITION;
import static io.streambert.service.config.ConfigKeys.THRESHOLD_DEFAULT;
import static io.streambert.service.config.ConfigKeys.THRESHOLD_PREFIX;
import static io.streambert.service.config.ConfigKeys.TOPIC_ROUTE_PREFIX;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * The values of a {@link ServiceConfig}, typed by {@link ConfigKeys#DEFINITION}: each value is
 * parsed by its key's type and checked by its key's validator; a problem is collected as an error
 * that names the key, where its value came from and what is wrong, and the key's default stands in
 * so that the rest can still be checked.
 */
final class TypedValues {
    private final Map<String, String> values;
    private final Map<String, String> origins;
    private final List<String> errors;
    private final Map<String, Object> typed = new LinkedHashMap<>();

    /**
     * @param values effective key -> value text, defaults filled in
     * @param origins key -> where its value came from; absent = default
     * @param errors where problems are added
     */
    TypedValues(Map<String, String> values, Map<String, String> origins, List<String> errors) {
        this.values = values;
        this.origins = origins;
        this.errors = errors;
        DEFINITION.configKeys().forEach((name, key) -> typed.put(name, parse(name, key)));
    }

    /** The typed value; a default as defined (ConfigDef checked it when it was defined). */
    private Object parse(String name, ConfigDef.ConfigKey key) {
        if (!origins.containsKey(name) || "default".equals(origins.get(name)))
            return key.defaultValue;
        try {
            Object value = fromText(key.type, values.get(name));
            if (key.validator != null) key.validator.ensureValid(name, value);
            return narrow(key.type, value);
        } catch (org.apache.kafka.common.config.ConfigException e) {
            errors.add(where(name) + ": " + e.getMessage());
            return key.defaultValue; // keeps checking the rest with a usable value
        }
    }

    Object value(String key) {
        return typed.get(key);
    }

    String string(String key) {
        return (String) typed.get(key);
    }

    String lowerCase(String key) {
        return string(key).toLowerCase(Locale.ROOT);
    }

    int integer(String key) {
        return (Integer) typed.get(key);
    }

    long longValue(String key) {
        return (Long) typed.get(key);
    }

    boolean bool(String key) {
        return (Boolean) typed.get(key);
    }

    @SuppressWarnings("unchecked")
    List<String> list(String key) {
        return (List<String>) typed.get(key);
    }

    /** Every key of an open family, prefix removed. */
    Map<String, String> family(String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach(
                (k, val) -> {
                    if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), val);
                });
        return Map.copyOf(out);
    }

    Map<String, String> labelRoutes() {
        Map<String, String> routes = new LinkedHashMap<>();
        family(TOPIC_ROUTE_PREFIX)
                .forEach(
                        (label, topic) -> {
                            if (topic.isEmpty())
                                errors.add(
                                        where(TOPIC_ROUTE_PREFIX + label) + ": needs a topic name");
                            else routes.put(label.toLowerCase(Locale.ROOT), topic);
                        });
        return Map.copyOf(routes);
    }

    /** {@code threshold.<label>}: typed and checked like {@code threshold.default}. */
    Map<String, Double> perLabelThresholds() {
        ConfigDef.ConfigKey like = DEFINITION.configKeys().get(THRESHOLD_DEFAULT);
        Map<String, Double> th = new LinkedHashMap<>();
        family(THRESHOLD_PREFIX)
                .forEach(
                        (label, text) -> {
                            if (label.equals("default")) return;
                            th.put(
                                    label.toLowerCase(Locale.ROOT),
                                    (Double) parse(THRESHOLD_PREFIX + label, like));
                        });
        return Map.copyOf(th);
    }

    String where(String key) {
        return key + " (" + origins.getOrDefault(key, "default") + ")";
    }

    /** A typed value as the text a user would write for it (defaults, in the log and docs). */
    static String asText(Object value) {
        if (value == null) return "";
        if (value instanceof Password p) return p.value();
        if (value instanceof List<?> l)
            return String.join(",", l.stream().map(String::valueOf).toList());
        return String.valueOf(value);
    }

    /** {@code text} as a value of {@code type}; integers as Long until validated. */
    private static Object fromText(ConfigDef.Type type, String text) {
        return switch (type) {
            case INT, SHORT, LONG -> {
                try {
                    yield Long.parseLong(text);
                } catch (NumberFormatException e) {
                    throw new org.apache.kafka.common.config.ConfigException(
                            "'" + text + "' is not an integer");
                }
            }
            case DOUBLE -> {
                try {
                    yield Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new org.apache.kafka.common.config.ConfigException(
                            "'" + text + "' is not a number");
                }
            }
            case BOOLEAN -> {
                String s = text.toLowerCase(Locale.ROOT);
                if (!s.equals("true") && !s.equals("false"))
                    throw new org.apache.kafka.common.config.ConfigException(
                            "'" + s + "' is not true or false");
                yield Boolean.valueOf(s);
            }
            case LIST ->
                    Arrays.stream(text.split(","))
                            .map(String::trim)
                            .filter(x -> !x.isEmpty())
                            .toList();
            case PASSWORD -> new Password(text);
            case STRING -> text;
            default -> throw new IllegalStateException("no parser for " + type);
        };
    }

    /** A validated integer as its key's type. */
    private static Object narrow(ConfigDef.Type type, Object value) {
        return switch (type) {
            case INT -> ((Long) value).intValue();
            case SHORT -> ((Long) value).shortValue();
            default -> value;
        };
    }
}
