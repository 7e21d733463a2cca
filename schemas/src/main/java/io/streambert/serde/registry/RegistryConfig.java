package io.streambert.serde.registry;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * The schema-registry client settings, under the names Confluent's own serdes use so existing client configs work:
 * {@code schema.registry.url} (comma-separated for fail-over), {@code basic.auth.credentials.source} +
 * {@code basic.auth.user.info} ("user:password"), {@code bearer.auth.credentials.source} + {@code bearer.auth.token},
 * {@code auto.register.schemas} (default true) and {@code schema.registry.request.timeout.ms} (default 10000). The auth
 * keys are also read with a {@code schema.registry.} prefix, as Kafka Connect spells them.
 */
public record RegistryConfig(List<URI> urls, Optional<String> authorization, boolean autoRegister, Duration timeout) {
    public static final String URL = "schema.registry.url";
    public static final String BASIC_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_USER_INFO = "basic.auth.user.info";
    public static final String BEARER_SOURCE = "bearer.auth.credentials.source";
    public static final String BEARER_TOKEN = "bearer.auth.token";
    public static final String AUTO_REGISTER = "auto.register.schemas";
    public static final String TIMEOUT_MS = "schema.registry.request.timeout.ms";

    /** True when {@code config} names a registry at all. */
    public static boolean present(Map<String, ?> config) {
        Object url = config.get(URL);
        return url != null && !url.toString().isBlank();
    }

    public static RegistryConfig from(Map<String, ?> config) {
        String rawUrls = string(config, URL).orElseThrow(() -> new ConfigException(URL, null,
                "a schema registry URL is required for the Confluent wire format, e.g. http://localhost:8081"));
        List<URI> urls = new ArrayList<>();
        for (String part : rawUrls.split(",")) {
            String u = part.trim();
            if (u.isEmpty()) {
                continue;
            }
            URI uri;
            try {
                uri = URI.create(u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(URL, u, "not a URL: " + e.getMessage());
            }
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new ConfigException(URL, u, "must be an http:// or https:// URL with a host");
            }
            urls.add(uri);
        }
        if (urls.isEmpty()) {
            throw new ConfigException(URL, rawUrls, "no URL given");
        }
        return new RegistryConfig(List.copyOf(urls), authorization(config),
                parseBoolean(AUTO_REGISTER, string(config, AUTO_REGISTER).orElse("true")),
                Duration.ofMillis(parseTimeout(string(config, TIMEOUT_MS).orElse("10000"))));
    }

    private static Optional<String> authorization(Map<String, ?> config) {
        Optional<String> userInfo = prefixed(config, BASIC_USER_INFO);
        String basicSource = prefixed(config, BASIC_SOURCE).orElse(userInfo.isPresent() ? "USER_INFO" : "");
        Optional<String> token = prefixed(config, BEARER_TOKEN);
        String bearerSource = prefixed(config, BEARER_SOURCE).orElse(token.isPresent() ? "STATIC_TOKEN" : "");
        if (!bearerSource.isEmpty()) {
            if (!bearerSource.equals("STATIC_TOKEN")) {
                throw new ConfigException(BEARER_SOURCE, bearerSource, "only STATIC_TOKEN is supported");
            }
            String t = token.orElseThrow(() -> new ConfigException(BEARER_TOKEN, null,
                    "required when " + BEARER_SOURCE + "=STATIC_TOKEN"));
            return Optional.of("Bearer " + t);
        }
        if (!basicSource.isEmpty()) {
            if (!basicSource.equals("USER_INFO")) {
                throw new ConfigException(BASIC_SOURCE, basicSource, "only USER_INFO is supported");
            }
            String info = userInfo.orElseThrow(() -> new ConfigException(BASIC_USER_INFO, null,
                    "required when " + BASIC_SOURCE + "=USER_INFO"));
            if (!info.contains(":")) {
                throw new ConfigException(BASIC_USER_INFO, "(hidden)", "must be user:password");
            }
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(info.getBytes(StandardCharsets.UTF_8)));
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

    private static long parseTimeout(String s) {
        try {
            long ms = Long.parseLong(s.trim());
            if (ms <= 0) {
                throw new NumberFormatException("not positive");
            }
            return ms;
        } catch (NumberFormatException e) {
            throw new ConfigException(TIMEOUT_MS, s, "must be a positive number of milliseconds");
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
        String s = v instanceof org.apache.kafka.common.config.types.Password p ? p.value() : v.toString();
        return s.isBlank() ? Optional.empty() : Optional.of(s);
    }

    @Override
    public String toString() {
        // Never print credentials.
        return "RegistryConfig[urls=" + urls + ", auth=" + authorization.map(a -> a.substring(0, a.indexOf(' ')))
                .orElse("none") + ", autoRegister=" + autoRegister + ", timeout=" + timeout + "]";
    }
}
