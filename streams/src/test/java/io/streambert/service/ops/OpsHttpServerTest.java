package io.streambert.service.ops;

import static org.junit.jupiter.api.Assertions.*;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streambert.service.deadletter.Reason;
import io.streambert.service.schedule.DeviceBatch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OpsHttpServerTest {

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesPrometheusMetricsAndProbes() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ServiceMetrics m = new ServiceMetrics(registry);
        m.deadLetter(Reason.EMPTY_TEXT);
        m.deadLetter(Reason.EMPTY_TEXT);
        m.deviceBatch(new DeviceBatch(3, 120, 2, 0, 5.0));
        m.retried(5);
        m.queueDepth(() -> 42);
        AtomicBoolean ready = new AtomicBoolean(false);
        try (OpsHttpServer s =
                new OpsHttpServer(
                        0,
                        registry,
                        () -> new OpsHttpServer.Status(true, "fine"),
                        () -> new OpsHttpServer.Status(ready.get(), "state X"))) {
            String metrics = get(s.port(), "/metrics").body();
            assertTrue(
                    metrics.contains("streambert_dead_letters_total{reason=\"EMPTY_TEXT\"} 2.0"),
                    metrics);
            assertTrue(metrics.contains("streambert_device_batch_tokens_sum 120.0"), metrics);
            assertTrue(metrics.contains("streambert_device_retries_total 5.0"), metrics);
            assertTrue(metrics.contains("streambert_inflight_tokens 42.0"), metrics);
            assertTrue(
                    metrics.contains("streambert_device_batch_fill_sum 1.0"),
                    metrics); // 120 of a 120-token budget
            assertTrue(metrics.contains("streambert_inference_seconds_count 1"), metrics);

            HttpResponse<String> health = get(s.port(), "/health");
            assertEquals(200, health.statusCode());
            assertTrue(health.body().startsWith("OK fine"));
            HttpResponse<String> notReady = get(s.port(), "/ready");
            assertEquals(503, notReady.statusCode());
            assertTrue(notReady.body().contains("state X"));
            ready.set(true);
            assertEquals(200, get(s.port(), "/ready").statusCode());
        }
    }
}
