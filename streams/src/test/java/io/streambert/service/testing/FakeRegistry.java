package io.streambert.service.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.streambert.schemas.TextEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A schema registry on localhost whose answer to {@code GET /schemas/ids/{id}} a test chooses per
 * request (by the request's number, from 1): the TextEvent schema, "this id does not exist", any
 * other HTTP status, or no answer within the client's timeout.
 */
public final class FakeRegistry implements AutoCloseable {
    /** What the registry does with one request. */
    public sealed interface Answer {}

    /** 200 with the current TextEvent schema. */
    public record Schema() implements Answer {}

    /** 404 with error_code 40403: the only answer that makes a record bad. */
    public record NotFound() implements Answer {}

    /** This status with a small JSON body (and a Location header for 3xx). */
    public record Status(int code) implements Answer {}

    /** No answer for this many milliseconds. */
    public record Hang(long ms) implements Answer {}

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile IntFunction<Answer> answers;

    public FakeRegistry(IntFunction<Answer> answers) throws IOException {
        this.answers = answers;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext(
                "/",
                ex -> {
                    int n = requests.incrementAndGet();
                    Answer a = this.answers.apply(n);
                    try {
                        switch (a) {
                            case Schema s ->
                                    reply(
                                            ex,
                                            200,
                                            Map.of(
                                                    "schema",
                                                    TextEvent.getClassSchema().toString()));
                            case NotFound nf ->
                                    reply(
                                            ex,
                                            404,
                                            Map.of(
                                                    "error_code",
                                                    40403,
                                                    "message",
                                                    "Schema not found"));
                            case Status st -> {
                                if (st.code() >= 300 && st.code() < 400)
                                    ex.getResponseHeaders().add("Location", "http://elsewhere/");
                                reply(ex, st.code(), Map.of("message", "status " + st.code()));
                            }
                            case Hang h -> {
                                Thread.sleep(h.ms());
                                reply(ex, 503, Map.of("message", "too late"));
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (IOException ignored) {
                        // the client gave up (timeout)
                    } finally {
                        ex.close();
                    }
                });
        server.start();
    }

    public void answers(IntFunction<Answer> answers) {
        this.answers = answers;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int requests() {
        return requests.get();
    }

    /**
     * A TextEvent in Confluent wire format with schema {@code id}: magic 0, the id, the Avro body.
     */
    public static byte[] confluentTextEvent(int id, String eventId, String text) {
        byte[] singleObject = TopologyHarness.textEvent(eventId, text); // C3 01 + 8-byte fp + body
        byte[] body = Arrays.copyOfRange(singleObject, 10, singleObject.length);
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(id).put(body).array();
    }

    private static void reply(com.sun.net.httpserver.HttpExchange ex, int status, Object body)
            throws IOException {
        byte[] bytes = new ObjectMapper().writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
