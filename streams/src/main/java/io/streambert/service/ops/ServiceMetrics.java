package io.streambert.service.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streambert.service.schedule.DeviceBatch;
import io.streambert.service.deadletter.Reason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Every meter the service reports, named once. Prometheus names: dots become underscores, timers get
 * {@code _seconds}, counters {@code _total} (e.g. {@code streambert_dead_letters_total{reason="EMPTY_TEXT"}}).
 */
public final class ServiceMetrics {
    private final MeterRegistry registry;
    private final Counter recordsIn;
    private final Map<Reason, Counter> deadLetters = new EnumMap<>(Reason.class);
    private final Map<String, Counter> eventsOut = new ConcurrentHashMap<>();
    private final Map<String, Counter> flushes = new ConcurrentHashMap<>();
    private final DistributionSummary microBatchRecords;
    private final DistributionSummary microBatchTokens;
    private final DistributionSummary deviceBatchSequences;
    private final DistributionSummary deviceBatchTokens;
    private final DistributionSummary deviceBatchCallers;
    private final Timer inference;
    private final Timer flushWait;
    private final Timer endToEnd;

    public ServiceMetrics(MeterRegistry registry) {
        this.registry = registry;
        recordsIn = Counter.builder("streambert.records.in").description("Input records read (valid or not)").register(registry);
        for (Reason r : Reason.values())
            deadLetters.put(r, Counter.builder("streambert.dead.letters").tag("reason", r.name())
                    .description("Records sent to the dead-letter topic").register(registry));
        microBatchRecords = DistributionSummary.builder("streambert.batch.records").description("Records per micro-batch flush")
                .publishPercentileHistogram().register(registry);
        microBatchTokens = DistributionSummary.builder("streambert.batch.tokens").description("Tokens per micro-batch flush")
                .publishPercentileHistogram().register(registry);
        deviceBatchSequences = DistributionSummary.builder("streambert.device.batch.sequences")
                .description("Sequences per device batch (merged across stream threads)").publishPercentileHistogram().register(registry);
        deviceBatchTokens = DistributionSummary.builder("streambert.device.batch.tokens").description("Tokens per device batch")
                .publishPercentileHistogram().register(registry);
        deviceBatchCallers = DistributionSummary.builder("streambert.device.batch.callers")
                .description("Micro-batches merged into one device batch").register(registry);
        inference = Timer.builder("streambert.inference").description("Wall time of one device batch (Encoder.encode)")
                .publishPercentileHistogram().register(registry);
        flushWait = Timer.builder("streambert.flush.wait").description("Time a stream thread waited for its micro-batch's results")
                .publishPercentileHistogram().register(registry);
        endToEnd = Timer.builder("streambert.end.to.end.latency")
                .description("Input record timestamp to output forwarded (output visible after the next commit)")
                .publishPercentileHistogram().register(registry);
    }

    public MeterRegistry registry() { return registry; }

    /** Registers the scheduler queue depth gauge (tokens admitted, not finished). */
    public void queueDepth(Supplier<Number> tokens) {
        io.micrometer.core.instrument.Gauge.builder("streambert.scheduler.queue.tokens", tokens)
                .description("Tokens queued for or on the device").register(registry);
    }

    public void recordIn() { recordsIn.increment(); }

    public void deadLetter(Reason reason) { deadLetters.get(reason).increment(); }

    public void eventOut(String kind) {
        eventsOut.computeIfAbsent(kind, k -> Counter.builder("streambert.events.out").tag("kind", k)
                .description("Output events forwarded, by kind").register(registry)).increment();
    }

    public void flushed(String trigger, int records, int tokens, long waitNanos) {
        flushes.computeIfAbsent(trigger, t -> Counter.builder("streambert.batch.flushes").tag("trigger", t)
                .description("Micro-batch flushes by what triggered them").register(registry)).increment();
        microBatchRecords.record(records);
        microBatchTokens.record(tokens);
        flushWait.record(waitNanos, TimeUnit.NANOSECONDS);
    }

    public void deviceBatch(DeviceBatch b) {
        deviceBatchSequences.record(b.sequences());
        deviceBatchTokens.record(b.tokens());
        deviceBatchCallers.record(b.callers());
        inference.record((long) (b.inferenceMs() * 1e6), TimeUnit.NANOSECONDS);
    }

    public void endToEnd(long millis) { endToEnd.record(Math.max(0, millis), TimeUnit.MILLISECONDS); }

    // ---- totals for the progress log ----

    public double recordsInTotal() { return recordsIn.count(); }

    public double deadLettersTotal() { return deadLetters.values().stream().mapToDouble(Counter::count).sum(); }

    public double eventsOutTotal(String kind) {
        Counter c = eventsOut.get(kind);
        return c == null ? 0 : c.count();
    }

    public long deviceBatchesTotal() { return inference.count(); }

    public double deviceTokensTotal() { return deviceBatchTokens.totalAmount(); }
}
