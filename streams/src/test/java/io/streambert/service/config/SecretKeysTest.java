package io.streambert.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every secret key we know of is hidden, and every look-alike that is not a secret is shown. */
class SecretKeysTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "kafka.ssl.keystore.key",
                "kafka.ssl.keystore.password",
                "kafka.ssl.key.password",
                "kafka.ssl.truststore.password",
                "kafka.ssl.truststore.certificates",
                "kafka.sasl.jaas.config",
                "kafka.producer.sasl.jaas.config",
                "kafka.main.consumer.sasl.jaas.config",
                "kafka.restore.consumer.ssl.key.password",
                "kafka.admin.ssl.keystore.key",
                "kafka.listener.name.internal.plain.sasl.jaas.config",
                "kafka.producer.ssl.keystore.password",
                "registry.basic.auth.user.info",
                "registry.schema.registry.basic.auth.user.info",
                "registry.bearer.auth.token",
                "registry.schema.registry.bearer.auth.token",
                "text.hash.key"
            })
    void secretsAreHidden(String key) {
        assertTrue(SecretKeys.isSecret(key), key);
        assertEquals("[hidden]", SecretKeys.shown(key, "s3cret"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "batch.max.tokens",
                "model.max.tokens",
                "scheduler.max.batch.tokens",
                "scheduler.max.inflight.tokens",
                "kafka.ssl.keystore.location",
                "kafka.ssl.keystore.type",
                "kafka.ssl.truststore.location",
                "kafka.sasl.mechanism",
                "kafka.sasl.kerberos.service.name",
                "kafka.security.protocol",
                "kafka.ssl.key.password.typo.suffix",
                "kafka.sasl.login.callback.handler.class",
                "kafka.passwordless",
                "registry.basic.auth.credentials.source",
                "registry.bearer.auth.credentials.source",
                "text.max.bytes",
                "schema.registry.url",
                "application.id"
            })
    void lookAlikesAreShown(String key) {
        assertFalse(SecretKeys.isSecret(key), key);
        assertEquals("42", SecretKeys.shown(key, "42"));
    }

    @Test
    void kafkasOwnPasswordTypesAreTheSource() {
        assertTrue(
                SecretKeys.kafkaPasswordNames()
                        .containsAll(
                                java.util.List.of(
                                        "ssl.keystore.key",
                                        "sasl.jaas.config",
                                        "ssl.key.password",
                                        "ssl.keystore.password",
                                        "ssl.truststore.password")),
                SecretKeys.kafkaPasswordNames().toString());
    }

    @Test
    void credentialsInUrlsAreMasked() {
        assertEquals(
                "https://***@registry:8081",
                SecretKeys.shown("schema.registry.url", "https://bob:pw@registry:8081"));
        assertEquals(
                "http://a:1,https://***@b:2",
                SecretKeys.shown("registry.url", "http://a:1,https://u:p@b:2"));
    }
}
