package io.streambert.service.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class InvalidTimestampExtractorTest {
    private static ConsumerRecord<Object, Object> record(long ts) {
        return new ConsumerRecord<>(
                "in",
                0,
                7,
                ts,
                TimestampType.CREATE_TIME,
                0,
                0,
                "k",
                "v",
                new RecordHeaders(),
                Optional.empty());
    }

    @Test
    void aValidTimestampIsKeptAndNotMarked() {
        ConsumerRecord<Object, Object> r = record(1_000L);
        r.headers()
                .add(
                        InvalidTimestampExtractor.HEADER,
                        "-5".getBytes(UTF_8)); // forged by a producer: removed
        assertEquals(1_000L, new InvalidTimestampExtractor().extract(r, 500L));
        assertNull(r.headers().lastHeader(InvalidTimestampExtractor.HEADER));
    }

    @Test
    void aNegativeTimestampIsMarkedForTheDeadLettersInsteadOfKillingTheThread() {
        ConsumerRecord<Object, Object> r = record(-42L);
        r.headers()
                .add(
                        InvalidTimestampExtractor.HEADER,
                        "123".getBytes(UTF_8)); // a forged mark is replaced
        assertEquals(
                500L,
                new InvalidTimestampExtractor().extract(r, 500L),
                "the partition's stream time");
        assertEquals(
                -42L,
                InvalidTimestampExtractor.originalTimestamp(
                        r.headers().lastHeader(InvalidTimestampExtractor.HEADER)));
        long now = System.currentTimeMillis();
        ConsumerRecord<Object, Object> first = record(-1L);
        long ts = new InvalidTimestampExtractor().extract(first, -1L);
        assertEquals(true, ts >= now, "now, before the partition has a stream time");
    }
}
