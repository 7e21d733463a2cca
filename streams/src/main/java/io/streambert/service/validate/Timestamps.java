package io.streambert.service.validate;

import java.time.Instant;

/**
 * The time range every output can carry: years 1 to 9999 (ISO-8601 strings, Avro timestamp-millis
 * read by fastavro's default logical types, and epoch milliseconds without overflow). Record
 * timestamps must also be non-negative, which is what the producer accepts.
 */
public final class Timestamps {
    private Timestamps() {}

    static final Instant MIN = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999Z");
    static final String RANGE = MIN + " .. " + MAX;

    /** A Kafka record timestamp (epoch ms) that the producer and every output format accept. */
    public static boolean inRange(long epochMs) {
        return epochMs >= 0 && epochMs <= MAX.toEpochMilli();
    }

    public static boolean inRange(Instant t) {
        return !t.isBefore(MIN) && !t.isAfter(MAX);
    }

    /** An id short enough for a message (ids are bounded, but messages stay readable). */
    static String shorten(String s) {
        return s == null || s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
