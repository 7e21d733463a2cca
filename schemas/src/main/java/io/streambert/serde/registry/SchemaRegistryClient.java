package io.streambert.serde.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A small client of the Confluent Schema Registry REST API, the dialect Confluent, Apicurio
 * (ccompat), Redpanda and Karapace all speak. Only what the serdes need: register a schema under a
 * subject ({@code POST /subjects/{subject}/versions}), look one up without registering ({@code POST
 * /subjects/{subject}}) and fetch a schema by id ({@code GET /schemas/ids/{id}}). Ids and schemas
 * never change once assigned, so both are cached for the life of the client: after warm-up a serde
 * makes no requests.
 *
 * <p>Answers are sorted into three kinds, because the decoder's caller acts on the kind:
 *
 * <ul>
 *   <li>success (2xx with a JSON body);
 *   <li>definitive "no" ({@link RegistryErrorException}): 404 with error_code 40401/40402/40403
 *       (the id, subject or version does not exist), 409/422 (our schema is incompatible or
 *       invalid). "This id does not exist" is also remembered for {@link
 *       RegistryConfig#missingIdTtl()} (at most {@link RegistryConfig#missingIdCacheSize()} ids),
 *       so a flood of records with random ids costs one request per distinct id, not one per
 *       record;
 *   <li>everything else ({@link RegistryUnavailableException}): no connection, a timeout, 3xx, 401,
 *       403, 429, other 4xx (such as a 404 without a registry error code: a proxy, or a wrong URL
 *       path), 5xx, a 2xx that is not JSON. The next URL is tried; when none answers, the client
 *       backs off (doubling from {@link RegistryConfig#retryBackoff()} up to {@link
 *       RegistryConfig#retryBackoffMax()}, or longer when the registry sends Retry-After) and until
 *       then fails fast without a request.
 * </ul>
 */
public final class SchemaRegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * Largest answer read: real schemas are kilobytes; a misbehaving server must not exhaust the
     * heap.
     */
    static final int MAX_BODY_BYTES = 16 << 20;

    private final RegistryConfig config;
    private final HttpClient http;
    private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    /**
     * Ids the registry said do not exist, with when that answer expires (System.nanoTime); LRU,
     * bounded.
     */
    private final Map<Integer, Long> missingIds;

    private final LongSupplier nanoClock;

    /** Backoff state after an unavailable registry: guarded by this. */
    private int consecutiveFailures;

    private long nextAttemptNanos;
    private String lastFailure;

    public SchemaRegistryClient(RegistryConfig config) {
        this(config, System::nanoTime);
    }

    /** With a clock of nanoseconds, for tests of the backoff and the missing-id cache. */
    public SchemaRegistryClient(RegistryConfig config, LongSupplier nanoClock) {
        this.config = config;
        this.nanoClock = nanoClock;
        int capacity = config.missingIdCacheSize();
        this.missingIds =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Integer, Long> eldest) {
                        return size() > capacity;
                    }
                };
        // HTTP/1.1: over plain http the default would send an h2c Upgrade header, which some
        // registry front ends
        // (proxies, older aiohttp in Karapace) answer badly; the API gains nothing from HTTP/2.
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(config.timeout())
                        .build();
    }

    public RegistryConfig config() {
        return config;
    }

    /**
     * The id of {@code schema} under {@code subject}: registered if {@code auto.register.schemas}
     * is true (the default; the registry returns the existing id when the schema is already there),
     * looked up otherwise.
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
            throw new RegistryUnavailableException(
                    "schema registry answered "
                            + path
                            + " without an integer id: "
                            + abbreviate(answer.toString()),
                    null,
                    200,
                    Duration.ZERO);
        }
        int value = id.intValue();
        idsBySubjectAndSchema.put(key, value);
        schemasById.putIfAbsent(value, schema);
        return value;
    }

    /**
     * The schema with global id {@code id}; a {@link RegistryErrorException} with {@link
     * RegistryErrorException#schemaNotFound()} when there is none (possibly a remembered answer).
     */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        String path = "/schemas/ids/" + id;
        synchronized (missingIds) {
            Long expires = missingIds.get(id);
            if (expires != null) {
                if (nanoClock.getAsLong() - expires < 0) {
                    throw new RegistryErrorException(
                            "schema id "
                                    + id
                                    + " not found (the registry's answer to GET "
                                    + path
                                    + ", remembered for "
                                    + config.missingIdTtl().toMillis()
                                    + " ms)",
                            404,
                            RegistryErrorException.SCHEMA_NOT_FOUND);
                }
                missingIds.remove(id);
            }
        }
        JsonNode answer;
        try {
            answer = send("GET", path, null);
        } catch (RegistryErrorException e) {
            if (e.schemaNotFound()) {
                synchronized (missingIds) {
                    missingIds.put(id, nanoClock.getAsLong() + config.missingIdTtl().toNanos());
                }
            }
            throw e;
        }
        JsonNode type = answer.get("schemaType");
        if (type != null && !type.asText().equals("AVRO")) {
            throw new RegistryErrorException(
                    "schema id "
                            + id
                            + " is a "
                            + type.asText()
                            + " schema; StreamBERT reads only Avro",
                    200,
                    -1);
        }
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            // Not a registry's answer to this request (a proxy, a wrong URL): nothing is known
            // about the record.
            throw new RegistryUnavailableException(
                    "schema registry answered "
                            + path
                            + " without a schema string: "
                            + abbreviate(answer.toString()),
                    null,
                    200,
                    Duration.ZERO);
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(text.textValue());
        } catch (SchemaParseException e) {
            throw new RegistryErrorException(
                    "schema id " + id + " from the registry is not valid Avro: " + e.getMessage(),
                    200,
                    -1);
        }
        Schema prior = schemasById.putIfAbsent(id, schema);
        return prior != null ? prior : schema;
    }

    /**
     * Sends to each configured URL in turn until one gives a usable answer; returns the JSON body
     * of a 2xx answer, throws {@link RegistryErrorException} for a definitive "no" and {@link
     * RegistryUnavailableException} when no URL answered usefully (then, and while backing off,
     * without a request).
     */
    private JsonNode send(String method, String path, String body) {
        synchronized (this) {
            long wait = nextAttemptNanos - nanoClock.getAsLong();
            if (consecutiveFailures > 0 && wait > 0) {
                Duration retryAfter = Duration.ofNanos(wait);
                throw new RegistryUnavailableException(
                        "schema registry unavailable ("
                                + lastFailure
                                + "); not calling "
                                + method
                                + " "
                                + path
                                + " again for "
                                + retryAfter.toMillis()
                                + " ms",
                        null,
                        -1,
                        retryAfter);
            }
        }
        RegistryUnavailableException last = null;
        Duration askedWait = Duration.ZERO;
        for (URI base : config.urls()) {
            HttpRequest.Builder req =
                    HttpRequest.newBuilder(URI.create(base + path))
                            .timeout(config.timeout())
                            .header("Accept", CONTENT_TYPE + ", application/json");
            config.authorization().ifPresent(a -> req.header("Authorization", a));
            if (body != null) {
                req.header("Content-Type", CONTENT_TYPE)
                        .method(
                                method,
                                HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            } else {
                req.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<InputStream> res;
            String answerText;
            try {
                res = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
                answerText = readBounded(res.body());
            } catch (IOException | IllegalArgumentException e) {
                last =
                        new RegistryUnavailableException(
                                "schema registry at "
                                        + base
                                        + " unreachable for "
                                        + method
                                        + " "
                                        + path
                                        + ": "
                                        + e.getClass().getSimpleName()
                                        + (e.getMessage() == null
                                                ? ""
                                                : " " + UrlRedaction.redact(e.getMessage())),
                                e);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException(
                        "interrupted while calling the schema registry", e);
            }
            int status = res.statusCode();
            String what =
                    "schema registry at "
                            + base
                            + " answered "
                            + method
                            + " "
                            + path
                            + " with HTTP "
                            + status;
            if (status / 100 == 2) {
                try {
                    JsonNode answer = MAPPER.readTree(answerText);
                    if (answer != null && answer.isObject()) {
                        succeeded();
                        return answer;
                    }
                } catch (IOException e) {
                    // fall through: not JSON
                }
                last =
                        new RegistryUnavailableException(
                                what
                                        + " but a body that is not a JSON object (a proxy or"
                                        + " login page?): "
                                        + abbreviate(answerText),
                                null,
                                status,
                                Duration.ZERO);
                continue;
            }
            int code = errorCode(answerText);
            boolean notFound = status == 404 && (code == 40401 || code == 40402 || code == 40403);
            boolean rejectedSchema = body != null && (status == 409 || status == 422);
            if (notFound || rejectedSchema) {
                succeeded(); // the registry works; the answer is about this request
                throw new RegistryErrorException(
                        what + hint(status) + ": " + errorText(answerText), status, code);
            }
            Duration retryAfter = retryAfter(res);
            if (retryAfter.compareTo(askedWait) > 0) {
                askedWait = retryAfter;
            }
            last =
                    new RegistryUnavailableException(
                            what + hint(status) + ": " + errorText(answerText) + redirect(res),
                            null,
                            status,
                            retryAfter);
        }
        throw failed(last, askedWait);
    }

    private static String readBounded(InputStream in) throws IOException {
        try (in) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new IOException("answer larger than " + MAX_BODY_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private synchronized void succeeded() {
        consecutiveFailures = 0;
        nextAttemptNanos = 0;
        lastFailure = null;
    }

    /**
     * Starts or lengthens the backoff and returns {@code last} with the wait the caller should
     * honour.
     */
    private synchronized RegistryUnavailableException failed(
            RegistryUnavailableException last, Duration asked) {
        consecutiveFailures++;
        long base = config.retryBackoff().toNanos();
        long max = config.retryBackoffMax().toNanos();
        long backoff =
                consecutiveFailures >= 31
                        ? max
                        : Math.min(max, base << Math.min(30, consecutiveFailures - 1));
        backoff = Math.max(backoff, Math.min(asked.toNanos(), max));
        nextAttemptNanos = nanoClock.getAsLong() + backoff;
        lastFailure =
                last.getMessage().length() > 300
                        ? last.getMessage().substring(0, 300) + "..."
                        : last.getMessage();
        return new RegistryUnavailableException(
                last.getMessage()
                        + " (failure "
                        + consecutiveFailures
                        + " in a row;"
                        + " next try in "
                        + Duration.ofNanos(backoff).toMillis()
                        + " ms)",
                last.getCause(),
                last.status(),
                Duration.ofNanos(backoff));
    }

    /** The Retry-After header in seconds (429, 503), or zero. */
    private static Duration retryAfter(HttpResponse<?> res) {
        return res.headers()
                .firstValue("Retry-After")
                .map(
                        v -> {
                            try {
                                return Duration.ofSeconds(
                                        Math.max(0, Math.min(3600, Long.parseLong(v.trim()))));
                            } catch (NumberFormatException e) {
                                return Duration
                                        .ZERO; // an HTTP date: the exponential backoff applies
                            }
                        })
                .orElse(Duration.ZERO);
    }

    private static String redirect(HttpResponse<?> res) {
        if (res.statusCode() / 100 != 3) {
            return "";
        }
        return res.headers()
                .firstValue("Location")
                .map(
                        l ->
                                " (redirected to "
                                        + UrlRedaction.redact(l)
                                        + ": set schema.registry.url to the final URL)")
                .orElse(" (a redirect)");
    }

    private static String hint(int status) {
        return switch (status) {
            case 401 -> " (unauthorized: check basic.auth.user.info or bearer.auth.token)";
            case 429 -> " (rate limited)";
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
                return abbreviate(n.get("message").asText())
                        + (n.has("error_code")
                                ? " (error_code " + n.get("error_code").asText() + ")"
                                : "");
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
