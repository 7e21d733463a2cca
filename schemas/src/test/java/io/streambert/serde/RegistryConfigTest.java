package io.streambert.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.serde.registry.RegistryConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

class RegistryConfigTest {
    @Test
    void readsUrlsTimeoutsAndAutoRegister() {
        RegistryConfig c = RegistryConfig.from(Map.of("schema.registry.url", " http://a:8081/ , https://b:8081",
                "schema.registry.request.timeout.ms", "2500", "auto.register.schemas", "false"));
        assertEquals(List.of(URI.create("http://a:8081"), URI.create("https://b:8081")), c.urls());
        assertEquals(Duration.ofMillis(2500), c.timeout());
        assertEquals(false, c.autoRegister());
        assertEquals(Optional.empty(), c.authorization());
    }

    @Test
    void connectStylePrefixedAuthKeysAndKafkaPasswordsWork() {
        RegistryConfig c = RegistryConfig.from(Map.of("schema.registry.url", "http://a",
                "schema.registry.basic.auth.user.info", new Password("u:p")));
        assertEquals(Optional.of("Basic dTpw"), c.authorization());
    }

    @Test
    void credentialsNeverAppearInToString() {
        RegistryConfig c = RegistryConfig.from(Map.of("schema.registry.url", "http://a",
                "bearer.auth.token", "s3cret-token"));
        assertTrue(!c.toString().contains("s3cret"), c.toString());
        assertTrue(c.toString().contains("auth=Bearer"), c.toString());
    }

    @Test
    void badSettingsAreNamed() {
        assertTrue(assertThrows(ConfigException.class, () -> RegistryConfig.from(Map.of("schema.registry.url",
                "ftp://x"))).getMessage().contains("http:// or https://"));
        assertTrue(assertThrows(ConfigException.class, () -> RegistryConfig.from(Map.of("schema.registry.url",
                "http://x", "schema.registry.request.timeout.ms", "-1"))).getMessage()
                .contains("schema.registry.request.timeout.ms"));
        assertTrue(assertThrows(ConfigException.class, () -> RegistryConfig.from(Map.of("schema.registry.url",
                "http://x", "basic.auth.user.info", "nocolon"))).getMessage().contains("user:password"));
        assertTrue(assertThrows(ConfigException.class, () -> RegistryConfig.from(Map.of("schema.registry.url",
                "http://x", "auto.register.schemas", "yes"))).getMessage().contains("must be true or false"));
        assertTrue(assertThrows(ConfigException.class, () -> RegistryConfig.from(Map.of("schema.registry.url",
                "http://x", "basic.auth.credentials.source", "SASL_INHERIT"))).getMessage()
                .contains("only USER_INFO"));
        assertTrue(assertThrows(ConfigException.class, () -> RegistryConfig.from(Map.of("schema.registry.url",
                "http://x", "bearer.auth.credentials.source", "STATIC_TOKEN"))).getMessage()
                .contains("bearer.auth.token"));
    }
}
