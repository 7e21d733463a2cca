package io.streambert.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.service.ops.OpsHttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * Service settings an operator relies on: secrets never logged, ops endpoints local by default,
 * handlers guarded.
 */
class OperatorSafetyTest {
    private static ServiceConfig config(Map<String, String> extra) {
        ServiceConfig.Builder b = ServiceConfig.builder();
        extra.forEach(b::set);
        return b.build();
    }

    @Test
    void theStartUpLogHidesTypedSecretsAndShowsLookAlikes() {
        String log =
                config(
                                Map.of(
                                        "kafka.ssl.keystore.key",
                                        "KEYPEM",
                                        "kafka.sasl.jaas.config",
                                        "JAAS-PW",
                                        "kafka.producer.ssl.key.password",
                                        "PRODPW",
                                        "registry.basic.auth.user.info",
                                        "u:REGPW",
                                        "schema.registry.url",
                                        "https://bob:URLPW@registry:8081",
                                        "text.hash.key",
                                        "HASHKEY",
                                        "scheduler.max.batch.tokens",
                                        "4096",
                                        "kafka.ssl.keystore.location",
                                        "/etc/ks.p12"))
                        .toString();
        for (String secret :
                new String[] {"KEYPEM", "JAAS-PW", "PRODPW", "REGPW", "URLPW", "HASHKEY"}) {
            assertFalse(log.contains(secret), secret + " in\n" + log);
        }
        assertTrue(log.contains("scheduler.max.batch.tokens=4096"), log);
        assertTrue(log.contains("kafka.ssl.keystore.location=/etc/ks.p12"), log);
        assertTrue(log.contains("schema.registry.url=https://***@registry:8081"), log);
        assertTrue(log.contains("kafka.ssl.keystore.key=[hidden]"), log);
    }

    @Test
    void theOpsEndpointsListenOnLocalhostUnlessConfigured() throws Exception {
        assertEquals("localhost", config(Map.of()).ops().httpBindAddress());
        assertEquals(
                "0.0.0.0", config(Map.of("http.bind.address", "0.0.0.0")).ops().httpBindAddress());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        OpsHttpServer server =
                new OpsHttpServer(
                        config(Map.of()).ops().httpBindAddress(),
                        port,
                        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                                io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT),
                        () -> new OpsHttpServer.Status(true, "ok"),
                        () -> new OpsHttpServer.Status(true, "ok"));
        try {
            InetAddress local = InetAddress.getByName("localhost");
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new InetSocketAddress(local, server.port()), 2000);
            }
            assertTrue(
                    server.address().getAddress().isLoopbackAddress(),
                    "bound to " + server.address());
        } finally {
            server.close();
        }
    }

    @Test
    void streamsGetsTheGuardedHandlerAndTheDeadLetteringExtractor() {
        Properties p =
                StreamsSettings.build(
                                config(
                                        Map.of(
                                                "kafka.production.exception.handler",
                                                "org.apache.kafka.streams.errors.DefaultProductionExceptionHandler")))
                        .properties();
        assertEquals(
                FatalProductionErrors.class.getName(),
                p.get(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG));
        assertEquals(
                "org.apache.kafka.streams.errors.DefaultProductionExceptionHandler",
                p.get(FatalProductionErrors.DELEGATE));
        assertEquals(
                InvalidTimestampExtractor.class.getName(),
                p.get(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG));
        Properties old =
                StreamsSettings.build(
                                config(Map.of("kafka.default.production.exception.handler", "x.Y")))
                        .properties();
        assertEquals("x.Y", old.get(FatalProductionErrors.DELEGATE));
        assertFalse(old.containsKey("default.production.exception.handler"));
    }
}
