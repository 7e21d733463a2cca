package io.streambert.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * An in-JVM stand-in for a Confluent-API schema registry on 127.0.0.1: the three endpoints the
 * client uses, global ids, optional required Authorization header, a switch to fail with 500, and a
 * log of requests so tests can count. Schemas are compared by their parsed form, as real registries
 * do.
 */
final class FakeSchemaRegistry implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * The id of a Protobuf schema this registry pretends to hold, as if another team's producer had
     * used it.
     */
    static final int PROTOBUF_ID = 77;

    private final HttpServer server;
    private final Map<Schema, Integer> ids = new ConcurrentHashMap<>();
    private final Map<Integer, String> schemaTextById = new ConcurrentHashMap<>();
    private final Map<String, List<Integer>> subjects = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(100);
    final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    volatile String requiredAuthorization;
    volatile boolean failWith500;

    /**
     * When > 0, every request gets this status with {@link #cannedBody} and {@link #cannedHeaders}.
     */
    volatile int cannedStatus;

    volatile String cannedBody = "";
    volatile Map<String, String> cannedHeaders = Map.of();

    FakeSchemaRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    long count(String methodAndPathPrefix) {
        synchronized (requests) {
            return requests.stream().filter(r -> r.startsWith(methodAndPathPrefix)).count();
        }
    }

    /** Registers a schema directly, as another producer would have, and returns its id. */
    int preRegister(String subject, Schema schema) {
        int id =
                ids.computeIfAbsent(
                        schema,
                        s -> {
                            int n = nextId.getAndIncrement();
                            schemaTextById.put(n, s.toString());
                            return n;
                        });
        List<Integer> versions =
                subjects.computeIfAbsent(
                        subject, k -> Collections.synchronizedList(new ArrayList<>()));
        if (!versions.contains(id)) {
            versions.add(id);
        }
        return id;
    }

    Schema schemaOf(int id) {
        return new Schema.Parser().parse(schemaTextById.get(id));
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getRawPath();
        requests.add(method + " " + path);
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        authorizations.add(auth == null ? "" : auth);
        try (ex) {
            if (cannedStatus > 0) {
                byte[] bytes = cannedBody.getBytes(StandardCharsets.UTF_8);
                cannedHeaders.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
                ex.sendResponseHeaders(cannedStatus, bytes.length == 0 ? -1 : bytes.length);
                if (bytes.length > 0) {
                    ex.getResponseBody().write(bytes);
                }
                return;
            }
            if (failWith500) {
                reply(ex, 500, error(50001, "Error in the backend data store"));
                return;
            }
            if (requiredAuthorization != null && !requiredAuthorization.equals(auth)) {
                reply(ex, 401, error(401, "Unauthorized"));
                return;
            }
            String[] parts = path.split("/", -1);
            // parts[0] is "" because the path starts with '/'.
            if (method.equals("GET")
                    && parts.length == 4
                    && parts[1].equals("schemas")
                    && parts[2].equals("ids")) {
                int id = Integer.parseInt(parts[3]);
                if (id == PROTOBUF_ID) {
                    reply(
                            ex,
                            200,
                            Map.of(
                                    "schemaType",
                                    "PROTOBUF",
                                    "schema",
                                    "syntax = \"proto3\"; message M {}"));
                    return;
                }
                String text = schemaTextById.get(id);
                if (text == null) {
                    reply(ex, 404, error(40403, "Schema " + parts[3] + " not found"));
                } else {
                    reply(ex, 200, Map.of("schema", text));
                }
                return;
            }
            if (method.equals("POST") && parts.length >= 3 && parts[1].equals("subjects")) {
                String subject = URLDecoder.decode(parts[2], StandardCharsets.UTF_8);
                JsonNode body = MAPPER.readTree(ex.getRequestBody());
                Schema schema = new Schema.Parser().parse(body.get("schema").asText());
                if (parts.length == 4 && parts[3].equals("versions")) {
                    reply(ex, 200, Map.of("id", preRegister(subject, schema)));
                    return;
                }
                if (parts.length == 3) {
                    Integer id = ids.get(schema);
                    List<Integer> versions = subjects.get(subject);
                    if (versions == null) {
                        reply(ex, 404, error(40401, "Subject '" + subject + "' not found."));
                    } else if (id == null || !versions.contains(id)) {
                        reply(ex, 404, error(40403, "Schema not found"));
                    } else {
                        Map<String, Object> answer = new LinkedHashMap<>();
                        answer.put("subject", subject);
                        answer.put("version", versions.indexOf(id) + 1);
                        answer.put("id", id);
                        answer.put("schema", schema.toString());
                        reply(ex, 200, answer);
                    }
                    return;
                }
            }
            reply(ex, 404, error(404, "HTTP 404 Not Found"));
        }
    }

    private static Map<String, Object> error(int code, String message) {
        return Map.of("error_code", code, "message", message);
    }

    private static void reply(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = MAPPER.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
