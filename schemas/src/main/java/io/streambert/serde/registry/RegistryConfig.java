package io.streambert.serde.registry;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * The schema-registry client settings, under the names Confluent's own serdes use so existing
 * client configs work: {@code schema.registry.url} (comma-separated for fail-over), {@code
 * basic.auth.credentials.source} + {@code basic.auth.user.info} ("user:password"), {@code
 * bearer.auth.credentials.source} + {@code bearer.auth.token}, {@code auto.register.schemas}
 * (default true) and {@code schema.registry.request.timeout.ms} (default 10000). The auth keys are
 * also read with a {@code schema.registry.} prefix, as Kafka Connect spells them. Credentials in a
 * URL ({@code https://user:password@host}) are taken as basic auth (Confluent's {@code
 * basic.auth.credentials.source=URL}) and removed from the URL, so that no URL this class holds,
 * prints or puts in a message carries a secret.
 *
 * <p>Our own keys: {@code schema.registry.retry.backoff.ms} (default 250) and {@code
 * schema.registry.retry.backoff.max.ms} (default 30000), the wait after an unavailable registry,
 * doubling per failure up to the maximum; {@code schema.registry.missing.id.cache.ttl.ms} (default
 * 300000) and {@code schema.registry.missing.id.cache.size} (default 10000), how long and how many
 * "this id does not exist" answers are remembered, so that a flood of random ids cannot hammer the
 * registry.
 */
public record RegistryConfig(
        List<URI> urls,
        Optional<String> authorization,
        boolean autoRegister,
        Duration timeout,
        Duration retryBackoff,
        Duration retryBackoffMax,
        Duration missingIdTtl,
        int missingIdCacheSize) {
    public static final String URL = "schema.registry.url";
    public static final String BASIC_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_USER_INFO = "basic.auth.user.info";
    public static final String BEARER_SOURCE = "bearer.auth.credentials.source";
    public static final String BEARER_TOKEN = "bearer.auth.token";
    public static final String AUTO_REGISTER = "auto.register.schemas";
    public static final String TIMEOUT_MS = "schema.registry.request.timeout.ms";
    public static final String RETRY_BACKOFF_MS = "schema.registry.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "schema.registry.retry.backoff.max.ms";
    public static final String MISSING_ID_TTL_MS = "schema.registry.missing.id.cache.ttl.ms";
    public static final String MISSING_ID_CACHE_SIZE = "schema.registry.missing.id.cache.size";

    /** True when {@code config} names a registry at all. */
    public static boolean present(Map<String, ?> config) {
        Object url = config.get(URL);
        return url != null && !url.toString().isBlank();
    }

    public static RegistryConfig from(Map<String, ?> config) {
        String rawUrls =
                string(config, URL)
                        .orElseThrow(
                                () ->
                                        new ConfigException(
                                                URL,
                                                null,
                                                "a schema registry URL is required for the Confluent wire format, e.g. http://localhost:8081"));
        List<URI> urls = new ArrayList<>();
        String urlUserInfo = null;
        for (String part : rawUrls.split(",", -1)) {
            String u = part.trim();
            if (u.isEmpty()) {
                continue;
            }
            String shown = UrlRedaction.redact(u);
            URI uri;
            try {
                uri = new URI(u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
            } catch (URISyntaxException e) {
                throw new ConfigException(
                        URL, shown, "not a URL: " + UrlRedaction.redact(e.getMessage()));
            }
            if (uri.getScheme() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new ConfigException(
                        URL, shown, "must be an http:// or https:// URL with a host");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new ConfigException(
                        URL,
                        shown,
                        "must not have a query or fragment (put credentials in "
                                + BASIC_USER_INFO
                                + " or "
                                + BEARER_TOKEN
                                + ")");
            }
            if (uri.getRawUserInfo() != null) {
                String info = uri.getUserInfo();
                if (urlUserInfo != null && !urlUserInfo.equals(info)) {
                    throw new ConfigException(
                            URL,
                            UrlRedaction.redact(rawUrls),
                            "the URLs carry different credentials");
                }
                urlUserInfo = info;
                try {
                    uri =
                            new URI(
                                    uri.getScheme(),
                                    null,
                                    uri.getHost(),
                                    uri.getPort(),
                                    uri.getPath(),
                                    null,
                                    null);
                } catch (URISyntaxException e) {
                    throw new ConfigException(
                            URL, shown, "not a URL: " + UrlRedaction.redact(e.getMessage()));
                }
            }
            urls.add(uri);
        }
        if (urls.isEmpty()) {
            throw new ConfigException(URL, UrlRedaction.redact(rawUrls), "no URL given");
        }
        return new RegistryConfig(
                List.copyOf(urls),
                authorization(config, urlUserInfo),
                parseBoolean(AUTO_REGISTER, string(config, AUTO_REGISTER).orElse("true")),
                Duration.ofMillis(
                        positiveLong(TIMEOUT_MS, string(config, TIMEOUT_MS).orElse("10000"))),
                Duration.ofMillis(
                        positiveLong(
                                RETRY_BACKOFF_MS, string(config, RETRY_BACKOFF_MS).orElse("250"))),
                Duration.ofMillis(
                        positiveLong(
                                RETRY_BACKOFF_MAX_MS,
                                string(config, RETRY_BACKOFF_MAX_MS).orElse("30000"))),
                Duration.ofMillis(
                        positiveLong(
                                MISSING_ID_TTL_MS,
                                string(config, MISSING_ID_TTL_MS).orElse("300000"))),
                (int)
                        Math.min(
                                1_000_000,
                                positiveLong(
                                        MISSING_ID_CACHE_SIZE,
                                        string(config, MISSING_ID_CACHE_SIZE).orElse("10000"))));
    }

    private static Optional<String> authorization(Map<String, ?> config, String urlUserInfo) {
        Optional<String> userInfo = prefixed(config, BASIC_USER_INFO);
        String basicSource =
                prefixed(config, BASIC_SOURCE)
                        .orElse(
                                userInfo.isPresent()
                                        ? "USER_INFO"
                                        : urlUserInfo != null ? "URL" : "");
        Optional<String> token = prefixed(config, BEARER_TOKEN);
        String bearerSource =
                prefixed(config, BEARER_SOURCE).orElse(token.isPresent() ? "STATIC_TOKEN" : "");
        if (!bearerSource.isEmpty()) {
            if (!bearerSource.equals("STATIC_TOKEN")) {
                throw new ConfigException(
                        BEARER_SOURCE, bearerSource, "only STATIC_TOKEN is supported");
            }
            String t =
                    token.orElseThrow(
                            () ->
                                    new ConfigException(
                                            BEARER_TOKEN,
                                            null,
                                            "required when " + BEARER_SOURCE + "=STATIC_TOKEN"));
            return Optional.of("Bearer " + t);
        }
        if (basicSource.equals("URL")) {
            if (urlUserInfo == null || !urlUserInfo.contains(":")) {
                throw new ConfigException(
                        BASIC_SOURCE, basicSource, "needs user:password@ in " + URL);
            }
            return Optional.of(
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(urlUserInfo.getBytes(StandardCharsets.UTF_8)));
        }
        if (!basicSource.isEmpty()) {
            if (!basicSource.equals("USER_INFO")) {
                throw new ConfigException(
                        BASIC_SOURCE, basicSource, "only USER_INFO and URL are supported");
            }
            String info =
                    userInfo.orElseThrow(
                            () ->
                                    new ConfigException(
                                            BASIC_USER_INFO,
                                            null,
                                            "required when " + BASIC_SOURCE + "=USER_INFO"));
            if (!info.contains(":")) {
                throw new ConfigException(BASIC_USER_INFO, "(hidden)", "must be user:password");
            }
            return Optional.of(
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(info.getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.empty();
    }

    private static boolean parseBoolean(String key, String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(key, s, "must be true or false");
        };
    }

    private static long positiveLong(String key, String s) {
        try {
            long v = Long.parseLong(s.trim());
            if (v <= 0) {
                throw new NumberFormatException("not positive");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ConfigException(
                    key,
                    s,
                    "must be a positive integer" + (key.endsWith(".ms") ? " (milliseconds)" : ""));
        }
    }

    private static Optional<String> prefixed(Map<String, ?> config, String key) {
        return string(config, key).or(() -> string(config, "schema.registry." + key));
    }

    private static Optional<String> string(Map<String, ?> config, String key) {
        Object v = config.get(key);
        if (v == null) {
            return Optional.empty();
        }
        String s =
                v instanceof org.apache.kafka.common.config.types.Password p
                        ? p.value()
                        : v.toString();
        return s.isBlank() ? Optional.empty() : Optional.of(s);
    }

    @Override
    public String toString() {
        // Never print credentials: the URLs hold none (taken out in from()), but a caller may have
        // built the record.
        return "RegistryConfig[urls="
                + UrlRedaction.redact(urls.toString())
                + ", auth="
                + authorization
                        .map(a -> a.indexOf(' ') > 0 ? a.substring(0, a.indexOf(' ')) : "(hidden)")
                        .orElse("none")
                + ", autoRegister="
                + autoRegister
                + ", timeout="
                + timeout
                + ", retryBackoff="
                + retryBackoff
                + ".."
                + retryBackoffMax
                + ", missingIdTtl="
                + missingIdTtl
                + ", missingIdCacheSize="
                + missingIdCacheSize
                + "]";
    }
}
