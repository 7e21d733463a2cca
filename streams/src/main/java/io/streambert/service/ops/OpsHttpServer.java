package io.streambert.service.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The operations endpoints on one port: {@code /metrics} (Prometheus text format), {@code /health}
 * (liveness: 200 unless the service is broken and should be restarted) and {@code /ready}
 * (readiness: 200 once the Kafka Streams client is RUNNING). Health and ready answer with a
 * one-line reason.
 */
public final class OpsHttpServer implements AutoCloseable {

    /** A probe answer: ok and why. */
    public record Status(boolean ok, String detail) {}

    private final HttpServer server;

    public OpsHttpServer(
            int port,
            PrometheusMeterRegistry registry,
            Supplier<Status> health,
            Supplier<Status> ready)
            throws IOException {
        this("localhost", port, registry, health, ready);
    }

    /**
     * Listens on {@code bindAddress} ("localhost", "0.0.0.0" for every interface, or one address).
     */
    public OpsHttpServer(
            String bindAddress,
            int port,
            PrometheusMeterRegistry registry,
            Supplier<Status> health,
            Supplier<Status> ready)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress(bindAddress, port), 0);
        server.createContext(
                "/metrics",
                ex ->
                        respond(
                                ex,
                                200,
                                "text/plain; version=0.0.4; charset=utf-8",
                                registry.scrape()));
        server.createContext("/health", ex -> probe(ex, health.get()));
        server.createContext("/ready", ex -> probe(ex, ready.get()));
        server.setExecutor(
                Executors.newSingleThreadExecutor(
                        r ->
                                Thread.ofPlatform()
                                        .name("streambert-http")
                                        .daemon(true)
                                        .unstarted(r)));
        server.start();
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The address and port it listens on. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static void probe(HttpExchange ex, Status s) throws IOException {
        respond(
                ex,
                s.ok() ? 200 : 503,
                "text/plain; charset=utf-8",
                (s.ok() ? "OK " : "NOT OK ") + s.detail() + "\n");
    }

    private static void respond(HttpExchange ex, int code, String type, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        if (server.getExecutor() instanceof java.util.concurrent.ExecutorService es)
            es.shutdownNow();
    }
}
