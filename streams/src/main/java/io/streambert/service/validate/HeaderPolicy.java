package io.streambert.service.validate;

import io.streambert.service.config.InvalidTimestampExtractor;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Which input record headers every output record carries (moderation, routed copies, embedding,
 * dead letters): by default all of them, in their order, names and values byte for byte, so a W3C
 * {@value #TRACEPARENT} (and {@code tracestate}, {@code baggage}, a correlation id) follows the
 * event through the service unchanged. {@code copy=false} copies none; names in {@code deny}
 * (compared without regard to case, as HTTP and W3C trace context do) are dropped. The service's
 * own marker {@value InvalidTimestampExtractor#HEADER} is never copied.
 *
 * @param copy copy input headers at all (output.headers.copy)
 * @param deny header names never copied (output.headers.deny), lower case
 */
public record HeaderPolicy(boolean copy, Set<String> deny) {
    public static final String TRACEPARENT = "traceparent";

    public HeaderPolicy {
        deny =
                deny == null
                        ? Set.of()
                        : deny.stream()
                                .map(String::trim)
                                .filter(s -> !s.isEmpty())
                                .map(s -> s.toLowerCase(Locale.ROOT))
                                .collect(Collectors.toUnmodifiableSet());
    }

    /** Copy every header. */
    public static HeaderPolicy copyAll() {
        return new HeaderPolicy(true, Set.of());
    }

    /**
     * What {@code headers} count against input.max.headers.bytes: 8 bytes per header plus its name
     * (UTF-8) and value, so that many empty headers count too.
     */
    public static long bytes(Headers headers) {
        long n = 0;
        for (Header h : headers)
            n +=
                    8
                            + h.key().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                            + (h.value() == null ? 0 : h.value().length);
        return n;
    }

    /** The headers of {@code input} that outputs carry, as a new read-only collection. */
    public Headers filter(Headers input) {
        RecordHeaders out = new RecordHeaders();
        if (copy && input != null)
            for (Header h : input) {
                if (h.key().equals(InvalidTimestampExtractor.HEADER)) continue;
                if (!deny.isEmpty() && deny.contains(h.key().toLowerCase(Locale.ROOT))) continue;
                out.add(h);
            }
        out.setReadOnly();
        return out;
    }
}
