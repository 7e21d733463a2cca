package io.streambert.service.config;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The service's timestamp extractor. Kafka's default ({@code FailOnInvalidTimestamp}) throws on a
 * negative record timestamp and so kills the stream thread on one bad record; Kafka's "skip"
 * extractors drop the record without a trace. This one keeps the record: it returns a usable
 * timestamp (the partition's stream time, or now before there is one) and marks the record with
 * header {@value #HEADER} holding the original value, so that validation sends it to the
 * dead-letter topic ({@code BAD_TIMESTAMP}) like any other bad record.
 */
public final class InvalidTimestampExtractor implements TimestampExtractor {
    /**
     * Header added to a record whose own timestamp was invalid; its value is that timestamp in
     * decimal.
     */
    public static final String HEADER = "streambert.invalid.timestamp";

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long ts = record.timestamp();
        record.headers().remove(HEADER); // a producer cannot forge the mark
        if (ts >= 0) return ts;
        record.headers().add(HEADER, Long.toString(ts).getBytes(StandardCharsets.US_ASCII));
        return partitionTime >= 0 ? partitionTime : System.currentTimeMillis();
    }

    /**
     * The invalid original timestamp this extractor recorded on {@code header}'s record, or null
     * when there is none.
     */
    public static Long originalTimestamp(Header header) {
        if (header == null || header.value() == null) return null;
        try {
            return Long.parseLong(new String(header.value(), StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
