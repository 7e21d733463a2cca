package io.streambert.service.config;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class TimeoutBudgetTest {

    private static ServiceConfig.Builder small() {
        // 2 batches queued ahead (2000 / 1000) + 1 in flight + own ceil((500 + 500) / 1000) = 1  ->  4 x 100 ms.
        return ServiceConfig.builder()
                .set("scheduler.queue.tokens", 2000).set("scheduler.max.batch.tokens", 1000)
                .set("batch.max.tokens", 500).set("model.max.tokens", 500)
                .set("scheduler.worst.case.batch.ms", 100).set("batch.max.wait.ms", 50);
    }

    @Test
    void theBoundFollowsTheDocumentedFormula() {
        TimeoutBudget b = TimeoutBudget.of(small().build(), 100);
        assertEquals(400, b.flushBlockMs());
        assertEquals(50 + 400 + 100, b.requiredMs());
    }

    @Test
    void unsetTimeoutsAreRaisedWhenTheDefaultsAreTooShort() {
        // Worst case 60 s per device batch: 4 x 60 s = 240 s flush; Streams' EOS transaction timeout default is 10 s.
        StreamsSettings.Result r = StreamsSettings.build(small().set("scheduler.worst.case.batch.ms", 60_000).build());
        Properties p = r.properties();
        long required = r.budget().requiredMs();
        assertEquals(50 + 240_000 + 100, required);
        assertEquals((int) (2 * required), p.get("producer.transaction.timeout.ms"));
        assertEquals((int) (3 * required), p.get("consumer.max.poll.interval.ms"), "above twice the bound: Streams polls at half of it");
        assertEquals(2, r.adjustments().size());
    }

    @Test
    void explicitTimeoutsThatAreTooShortRefuseToStart() {
        // 550 ms bound: max.poll.interval.ms must exceed 1100 (Streams polls again after half of it), the transaction 550.
        ConfigException e = assertThrows(ConfigException.class,
                () -> StreamsSettings.build(small().set("kafka.max.poll.interval.ms", 1000).build()));
        assertTrue(e.getMessage().contains("kafka.max.poll.interval.ms=1000 is too low: it must exceed 1100 ms"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> StreamsSettings.build(small().set("kafka.producer.transaction.timeout.ms", 300).build()));
        assertTrue(e.getMessage().contains("transaction.timeout.ms=300 is too low: it must exceed 550 ms"), e.getMessage());
        assertEquals("1200", StreamsSettings.build(small().set("kafka.max.poll.interval.ms", 1200).build()).properties().get("max.poll.interval.ms"));
    }

    @Test
    void explicitTimeoutsThatAreLongEnoughAreKept() {
        StreamsSettings.Result r = StreamsSettings.build(small().set("kafka.transaction.timeout.ms", 5000).build());
        assertEquals("5000", r.properties().get("transaction.timeout.ms"));
        assertNull(r.properties().get("producer.transaction.timeout.ms"));
    }

    @Test
    void aBudgetBeyondTheBrokersTransactionLimitIsRefused() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> StreamsSettings.build(small().set("scheduler.worst.case.batch.ms", 300_000).build()));
        assertTrue(e.getMessage().contains("transaction.max.timeout.ms"), e.getMessage());
    }

    @Test
    void atLeastOnceNeedsNoTransactionTimeout() {
        StreamsSettings.Result r = StreamsSettings.build(small().set("processing.guarantee", "at_least_once")
                .set("scheduler.worst.case.batch.ms", 300_000).build());
        assertNull(r.properties().get("producer.transaction.timeout.ms"));
        assertNotNull(r.properties().get("consumer.max.poll.interval.ms"));
    }
}
