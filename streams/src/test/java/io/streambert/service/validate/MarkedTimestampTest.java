package io.streambert.service.validate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streambert.schemas.DeadLetter;
import io.streambert.service.config.InvalidTimestampExtractor;
import io.streambert.service.ops.ServiceMetrics;
import io.streambert.service.testing.TestEncoder;
import io.streambert.service.testing.TopologyHarness;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/**
 * A record whose own timestamp was negative reaches validation with a usable timestamp and the
 * extractor's mark (TopologyTestDriver refuses negative timestamps, so this drives the extractor
 * and the processor directly): it is a BAD_TIMESTAMP dead letter naming the original value, and the
 * same record unmarked is forwarded for batching.
 */
class MarkedTimestampTest {
    @Test
    void aRecordMarkedByTheExtractorIsABadTimestampDeadLetter() {
        var config = TopologyHarness.config().build();
        ValidateProcessor p =
                new ValidateProcessor(
                        TopologyHarness.SERDES.textEvents().deserializer(),
                        new TestEncoder(),
                        config.inputLimits(),
                        "batch",
                        "dead",
                        new ServiceMetrics(new SimpleMeterRegistry()));
        MockProcessorContext<byte[], Object> ctx = new MockProcessorContext<>();
        ctx.setCurrentSystemTimeMs(1_000_000L);
        p.init(ctx);

        byte[] value = TopologyHarness.textEvent("neg", "hello");
        ConsumerRecord<Object, Object> raw =
                new ConsumerRecord<>(
                        "text",
                        0,
                        7,
                        -42L,
                        org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                        0,
                        0,
                        "k".getBytes(UTF_8),
                        value,
                        new org.apache.kafka.common.header.internals.RecordHeaders(),
                        java.util.Optional.empty());
        long ts = new InvalidTimestampExtractor().extract(raw, 5_000L);
        assertEquals(5_000L, ts);
        ctx.setRecordMetadata("text", 0, 7);
        p.process(new Record<>("k".getBytes(UTF_8), value, ts, raw.headers()));
        p.process(new Record<>("k".getBytes(UTF_8), value, ts));

        List<MockProcessorContext.CapturedForward<? extends byte[], ?>> out = ctx.forwarded();
        assertEquals(2, out.size());
        assertEquals("dead", out.get(0).childName().orElseThrow());
        DeadLetter d = (DeadLetter) out.get(0).record().value();
        assertEquals("BAD_TIMESTAMP", d.getErrorClass());
        assertTrue(d.getErrorMessage().contains("-42"), d.getErrorMessage());
        assertEquals("batch", out.get(1).childName().orElseThrow());
    }
}
