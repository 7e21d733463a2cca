package io.streambert.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.serde.registry.RegistryConfig;
import io.streambert.serde.registry.UrlRedaction;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegistryConfigTest {
    @Test
    void readsUrlsTimeoutsAndAutoRegister() {
        RegistryConfig c =
                RegistryConfig.from(
                        Map.of(
                                "schema.registry.url",
                                " http://a:8081/ , https://b:8081",
                                "schema.registry.request.timeout.ms",
                                "2500",
                                "auto.register.schemas",
                                "false"));
        assertEquals(List.of(URI.create("http://a:8081"), URI.create("https://b:8081")), c.urls());
        assertEquals(Duration.ofMillis(2500), c.timeout());
        assertEquals(false, c.autoRegister());
        assertEquals(Optional.empty(), c.authorization());
    }

    @Test
    void connectStylePrefixedAuthKeysAndKafkaPasswordsWork() {
        RegistryConfig c =
                RegistryConfig.from(
                        Map.of(
                                "schema.registry.url",
                                "http://a",
                                "schema.registry.basic.auth.user.info",
                                new Password("u:p")));
        assertEquals(Optional.of("Basic dTpw"), c.authorization());
    }

    @Test
    void credentialsNeverAppearInToString() {
        RegistryConfig c =
                RegistryConfig.from(
                        Map.of(
                                "schema.registry.url",
                                "http://a",
                                "bearer.auth.token",
                                "s3cret-token"));
        assertTrue(!c.toString().contains("s3cret"), c.toString());
        assertTrue(c.toString().contains("auth=Bearer"), c.toString());
    }

    @Test
    void aUrlOfAnotherSchemeIsRefused() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> RegistryConfig.from(Map.of("schema.registry.url", "ftp://x")));
        assertTrue(e.getMessage().contains("http:// or https://"), e.getMessage());
    }

    /** Each bad setting is refused with a message that says what is wrong with it. */
    @ParameterizedTest
    @CsvSource({
        "schema.registry.request.timeout.ms, -1, schema.registry.request.timeout.ms",
        "basic.auth.user.info, nocolon, user:password",
        "auto.register.schemas, yes, must be true or false",
        "basic.auth.credentials.source, SASL_INHERIT, only USER_INFO",
        "bearer.auth.credentials.source, STATIC_TOKEN, bearer.auth.token"
    })
    void badSettingsAreNamed(String key, String value, String expectedFragment) {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                RegistryConfig.from(
                                        Map.of("schema.registry.url", "http://x", key, value)));
        assertTrue(e.getMessage().contains(expectedFragment), e.getMessage());
    }

    @Test
    void credentialsInTheUrlBecomeBasicAuthAndLeaveTheUrl() {
        RegistryConfig c =
                RegistryConfig.from(
                        Map.of(
                                "schema.registry.url",
                                "https://alice:s3cret@a:8081, https://alice:s3cret@b:8081/"));
        assertEquals(List.of(URI.create("https://a:8081"), URI.create("https://b:8081")), c.urls());
        assertEquals(
                Optional.of("Basic YWxpY2U6czNjcmV0"), c.authorization()); // base64("alice:s3cret")
        assertTrue(
                !c.toString().contains("s3cret") && !c.toString().contains("alice"), c.toString());
        assertTrue(c.toString().contains("auth=Basic"), c.toString());
    }

    @Test
    void toStringNeverShowsAnySecretWhateverBuiltTheRecord() {
        RegistryConfig built =
                new RegistryConfig(
                        List.of(URI.create("https://bob:pw123@h:1/?api_key=k3y")),
                        Optional.of("Bearer tok3n"),
                        true,
                        Duration.ofSeconds(1),
                        Duration.ofMillis(1),
                        Duration.ofMillis(2),
                        Duration.ofMillis(3),
                        4);
        String s = built.toString();
        for (String secret : List.of("bob", "pw123", "k3y", "tok3n")) {
            assertTrue(!s.contains(secret), secret + " in " + s);
        }
        assertTrue(s.contains("https://***@h:1/?api_key=***"), s);
    }

    @Test
    void badUrlsAreReportedWithoutTheirCredentials() {
        ConfigException query =
                assertThrows(
                        ConfigException.class,
                        () ->
                                RegistryConfig.from(
                                        Map.of(
                                                "schema.registry.url",
                                                "https://u:pw9@h:8081/?token=abc")));
        assertTrue(
                !query.getMessage().contains("pw9") && !query.getMessage().contains("abc"),
                query.getMessage());
        assertTrue(query.getMessage().contains("must not have a query"), query.getMessage());
        ConfigException scheme =
                assertThrows(
                        ConfigException.class,
                        () -> RegistryConfig.from(Map.of("schema.registry.url", "ftp://u:pw9@h")));
        assertTrue(!scheme.getMessage().contains("pw9"), scheme.getMessage());
        ConfigException two =
                assertThrows(
                        ConfigException.class,
                        () ->
                                RegistryConfig.from(
                                        Map.of(
                                                "schema.registry.url",
                                                "https://u:pw9@h, https://v:pw8@h2")));
        assertTrue(
                !two.getMessage().contains("pw9") && !two.getMessage().contains("pw8"),
                two.getMessage());
    }

    @Test
    void urlRedactionMasksUserInfoAndQueryValuesInAnyString() {
        assertEquals(
                "http://***@h:1/p?a=***&b=***, https://h2",
                UrlRedaction.redact("http://u:p@h:1/p?a=1&b=2, https://h2"));
        assertEquals("not a url", UrlRedaction.redact("not a url"));
        assertEquals("x://***@", UrlRedaction.redact("x://@@"));
        assertEquals("https://***@h/", UrlRedaction.redact("https://u:p@ss@h/"));
    }

    @Test
    void backoffAndMissingIdCacheSettingsAreRead() {
        RegistryConfig c =
                RegistryConfig.from(
                        Map.of(
                                "schema.registry.url",
                                "http://a",
                                "schema.registry.retry.backoff.ms",
                                "5",
                                "schema.registry.retry.backoff.max.ms",
                                "6",
                                "schema.registry.missing.id.cache.ttl.ms",
                                "7",
                                "schema.registry.missing.id.cache.size",
                                "8"));
        assertEquals(Duration.ofMillis(5), c.retryBackoff());
        assertEquals(Duration.ofMillis(6), c.retryBackoffMax());
        assertEquals(Duration.ofMillis(7), c.missingIdTtl());
        assertEquals(8, c.missingIdCacheSize());
        assertTrue(
                assertThrows(
                                ConfigException.class,
                                () ->
                                        RegistryConfig.from(
                                                Map.of(
                                                        "schema.registry.url",
                                                        "http://x",
                                                        "schema.registry.missing.id.cache.size",
                                                        "0")))
                        .getMessage()
                        .contains("schema.registry.missing.id.cache.size"));
    }
}
