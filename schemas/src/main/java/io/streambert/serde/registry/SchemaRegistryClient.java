package io.streambert.serde.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A small client of the Confluent Schema Registry REST API, the dialect Confluent, Apicurio (ccompat), Redpanda and
 * Karapace all speak. Only what the serdes need: register a schema under a subject ({@code POST
 * /subjects/{subject}/versions}), look one up without registering ({@code POST /subjects/{subject}}) and fetch a
 * schema by id ({@code GET /schemas/ids/{id}}). Ids and schemas never change once assigned, so both are cached for
 * the life of the client: after warm-up a serde makes no requests.
 */
public final class SchemaRegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final RegistryConfig config;
    private final HttpClient http;
    private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    public SchemaRegistryClient(RegistryConfig config) {
        this.config = config;
        // HTTP/1.1: over plain http the default would send an h2c Upgrade header, which some registry front ends
        // (proxies, older aiohttp in Karapace) answer badly; the API gains nothing from HTTP/2.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.timeout())
                .build();
    }

    public RegistryConfig config() {
        return config;
    }

    /**
     * The id of {@code schema} under {@code subject}: registered if {@code auto.register.schemas} is true (the
     * default; the registry returns the existing id when the schema is already there), looked up otherwise.
     */
    public int idFor(String subject, Schema schema) {
        String key = subject + '\u0000' + schema.toString();
        Integer cached = idsBySubjectAndSchema.get(key);
        if (cached != null) {
            return cached;
        }
        String path = "/subjects/" + encode(subject) + (config.autoRegister() ? "/versions" : "");
        String body;
        try {
            body = MAPPER.writeValueAsString(Map.of("schema", schema.toString()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        JsonNode answer = send("POST", path, body);
        JsonNode id = answer.get("id");
        if (id == null || !id.canConvertToInt()) {
            throw new RegistryErrorException("schema registry answered " + path + " without an integer id: "
                    + abbreviate(answer.toString()), 200, -1);
        }
        int value = id.intValue();
        idsBySubjectAndSchema.put(key, value);
        schemasById.putIfAbsent(value, schema);
        return value;
    }

    /** The schema with global id {@code id}; a {@link RegistryErrorException} with status 404 when there is none. */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        String path = "/schemas/ids/" + id;
        JsonNode answer = send("GET", path, null);
        JsonNode type = answer.get("schemaType");
        if (type != null && !type.asText().equals("AVRO")) {
            throw new RegistryErrorException("schema id " + id + " is a " + type.asText()
                    + " schema; StreamBERT reads only Avro", 200, -1);
        }
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw new RegistryErrorException("schema registry answered " + path + " without a schema string: "
                    + abbreviate(answer.toString()), 200, -1);
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(text.textValue());
        } catch (SchemaParseException e) {
            throw new RegistryErrorException("schema id " + id + " from the registry is not valid Avro: "
                    + e.getMessage(), 200, -1);
        }
        Schema prior = schemasById.putIfAbsent(id, schema);
        return prior != null ? prior : schema;
    }

    /** Sends to each configured URL in turn until one answers; returns the JSON body of a 2xx answer. */
    private JsonNode send(String method, String path, String body) {
        RegistryUnavailableException last = null;
        for (URI base : config.urls()) {
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(config.timeout())
                    .header("Accept", CONTENT_TYPE + ", application/json");
            config.authorization().ifPresent(a -> req.header("Authorization", a));
            if (body != null) {
                req.header("Content-Type", CONTENT_TYPE)
                        .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            } else {
                req.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> res;
            try {
                res = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                last = new RegistryUnavailableException("schema registry at " + base + " unreachable for " + method
                        + " " + path + ": " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException("interrupted while calling the schema registry", e);
            }
            if (res.statusCode() >= 500) {
                last = new RegistryUnavailableException("schema registry at " + base + " answered " + method + " "
                        + path + " with HTTP " + res.statusCode() + ": " + errorText(res.body()), null);
                continue;
            }
            if (res.statusCode() >= 300) {
                throw new RegistryErrorException("schema registry at " + base + " answered " + method + " " + path
                        + " with HTTP " + res.statusCode() + hint(res.statusCode()) + ": " + errorText(res.body()),
                        res.statusCode(), errorCode(res.body()));
            }
            try {
                return MAPPER.readTree(res.body());
            } catch (IOException e) {
                throw new RegistryErrorException("schema registry at " + base + " answered " + method + " " + path
                        + " with a body that is not JSON: " + abbreviate(res.body()), res.statusCode(), -1);
            }
        }
        throw last;
    }

    private static String hint(int status) {
        return switch (status) {
            case 401 -> " (unauthorized: check basic.auth.user.info or bearer.auth.token)";
            case 403 -> " (forbidden: the credentials lack permission for this subject)";
            case 409 -> " (the schema is incompatible with the subject's earlier versions)";
            case 422 -> " (the registry rejected the schema as invalid)";
            default -> "";
        };
    }

    /** The registry's {"error_code": n, "message": "..."} rendered as "message (error_code n)". */
    private static String errorText(String body) {
        try {
            JsonNode n = MAPPER.readTree(body);
            if (n != null && n.has("message")) {
                return n.get("message").asText() + (n.has("error_code") ? " (error_code "
                        + n.get("error_code").asText() + ")" : "");
            }
        } catch (IOException ignored) {
            // Not JSON: fall through and show the raw text.
        }
        return abbreviate(body);
    }

    private static int errorCode(String body) {
        try {
            JsonNode n = MAPPER.readTree(body);
            return n != null && n.has("error_code") ? n.get("error_code").asInt(-1) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static String abbreviate(String s) {
        if (s == null || s.isBlank()) {
            return "(empty body)";
        }
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
