package io.streambert.service.config;

import io.streambert.serde.registry.UrlRedaction;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Which configuration values are secrets, by type rather than by a word in the name (which hid
 * {@code batch.max.tokens} and missed {@code kafka.ssl.keystore.key}):
 *
 * <ul>
 *   <li>a {@code kafka.*} key is secret when its name ends in a setting that Kafka's own clients
 *       define with {@link ConfigDef.Type#PASSWORD} (producer, consumer, admin and Streams {@link
 *       ConfigDef}s), whatever client or listener prefix comes before it: {@code
 *       kafka.ssl.keystore.key}, {@code kafka.producer.ssl.key.password}, {@code
 *       kafka.listener.name.x.plain.sasl.jaas.config};
 *   <li>our own secrets are PASSWORD keys: of the service's definition ({@link
 *       ConfigKeys#DEFINITION}: {@code text.hash.key}) and of {@link #OWN} (the registry
 *       credentials, in the open {@code registry.*} family);
 *   <li>a value that holds a URL ({@code schema.registry.url}) is shown with its credentials masked
 *       ({@link UrlRedaction}).
 * </ul>
 */
public final class SecretKeys {
    /**
     * Our own secret settings of the {@code registry.*} family, typed as Kafka passwords (their
     * {@link Password#toString()} is "[hidden]").
     */
    public static final ConfigDef OWN =
            new ConfigDef()
                    .define(
                            "registry.basic.auth.user.info",
                            ConfigDef.Type.PASSWORD,
                            null,
                            ConfigDef.Importance.MEDIUM,
                            "Schema registry basic auth as user:password.")
                    .define(
                            "registry.schema.registry.basic.auth.user.info",
                            ConfigDef.Type.PASSWORD,
                            null,
                            ConfigDef.Importance.MEDIUM,
                            "The same, in Kafka Connect's spelling.")
                    .define(
                            "registry.bearer.auth.token",
                            ConfigDef.Type.PASSWORD,
                            null,
                            ConfigDef.Importance.MEDIUM,
                            "Schema registry bearer token.")
                    .define(
                            "registry.schema.registry.bearer.auth.token",
                            ConfigDef.Type.PASSWORD,
                            null,
                            ConfigDef.Importance.MEDIUM,
                            "The same, in Kafka Connect's spelling.");

    /** Names of every PASSWORD setting of Kafka's producer, consumer, admin client and Streams. */
    private static final Set<String> KAFKA_PASSWORDS = kafkaPasswords();

    private SecretKeys() {}

    private static Set<String> kafkaPasswords() {
        Set<String> names = new HashSet<>();
        for (ConfigDef def :
                List.of(
                        ProducerConfig.configDef(),
                        ConsumerConfig.configDef(),
                        AdminClientConfig.configDef(),
                        StreamsConfig.configDef())) {
            def.configKeys()
                    .forEach(
                            (name, key) -> {
                                if (key.type == ConfigDef.Type.PASSWORD) names.add(name);
                            });
        }
        return Set.copyOf(names);
    }

    /** True when the value of {@code key} (a service configuration key) must never be shown. */
    public static boolean isSecret(String key) {
        ConfigDef.ConfigKey own = ConfigKeys.DEFINITION.configKeys().get(key);
        if (own == null) own = OWN.configKeys().get(key);
        if (own != null) return own.type == ConfigDef.Type.PASSWORD;
        if (!key.startsWith(ConfigKeys.KAFKA_PREFIX)) return false;
        // Any suffix of the dotted name: client and listener prefixes may come before the setting
        // itself.
        String name = key.substring(ConfigKeys.KAFKA_PREFIX.length());
        while (true) {
            if (KAFKA_PASSWORDS.contains(name)) return true;
            int dot = name.indexOf('.');
            if (dot < 0) return false;
            name = name.substring(dot + 1);
        }
    }

    /**
     * The value as it may be logged: "[hidden]" for a secret, credentials masked in URLs, else as
     * is.
     */
    public static String shown(String key, String value) {
        if (value == null) return null;
        if (isSecret(key)) return value.isEmpty() ? "" : "[hidden]";
        return value.contains("://") ? UrlRedaction.redact(value) : value;
    }

    /** The names Kafka types as PASSWORD, for documentation and tests. */
    public static Set<String> kafkaPasswordNames() {
        return KAFKA_PASSWORDS;
    }
}
