package io.streambert.service.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streambert.service.deadletter.Reason;
import io.streambert.service.schedule.DeviceBatch;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Every meter the service reports, named once. Prometheus names: dots become underscores, timers
 * get {@code _seconds}, counters {@code _total} (e.g. {@code
 * streambert_dead_letters_total{reason="EMPTY_TEXT"}}).
 */
public final class ServiceMetrics {
    private final MeterRegistry registry;
    private final Counter recordsIn;
    private final Map<Reason, Counter> deadLetters = new EnumMap<>(Reason.class);
    private final Map<String, Counter> eventsOut = new ConcurrentHashMap<>();
    private final DistributionSummary deviceBatchFill;
    private final Counter retries;
    private final Counter threadReplacements;
    private final Map<String, Counter> inputPaused = new ConcurrentHashMap<>();
    private final Counter pausedReplacements;
    private volatile long lastPausedMillis;
    private volatile String lastPauseCause = "";
    private final DistributionSummary deviceBatchSequences;
    private final DistributionSummary deviceBatchTokens;
    private final DistributionSummary deviceBatchCallers;
    private final Timer inference;
    private final Timer flushWait;
    private final Timer endToEnd;

    public ServiceMetrics(MeterRegistry registry) {
        this.registry = registry;
        recordsIn =
                Counter.builder("streambert.records.in")
                        .description("Input records read (valid or not)")
                        .register(registry);
        for (Reason r : Reason.values())
            deadLetters.put(
                    r,
                    Counter.builder("streambert.dead.letters")
                            .tag("reason", r.name())
                            .description("Records sent to the dead-letter topic")
                            .register(registry));
        deviceBatchFill =
                DistributionSummary.builder("streambert.device.batch.fill")
                        .description(
                                "Tokens per device launch against the budget (scheduler.max.batch.tokens), 0..1")
                        .register(registry);
        retries =
                Counter.builder("streambert.device.retries")
                        .description("Sequences put back for a retry after a device error")
                        .register(registry);
        threadReplacements =
                Counter.builder("streambert.stream.thread.replacements")
                        .description("Stream threads replaced after an uncaught exception")
                        .register(registry);
        pausedReplacements =
                Counter.builder("streambert.input.pause.thread.replacements")
                        .description(
                                "Of the stream thread replacements, those after a record could not be validated yet (schema registry outage, unknown schema under the pause policy)")
                        .register(registry);
        deviceBatchSequences =
                DistributionSummary.builder("streambert.device.batch.sequences")
                        .description("Sequences per device batch (merged across stream threads)")
                        .publishPercentileHistogram()
                        .register(registry);
        deviceBatchTokens =
                DistributionSummary.builder("streambert.device.batch.tokens")
                        .description("Tokens per device batch")
                        .publishPercentileHistogram()
                        .register(registry);
        deviceBatchCallers =
                DistributionSummary.builder("streambert.device.batch.callers")
                        .description(
                                "Stream tasks (partitions) whose records were merged into one device batch")
                        .register(registry);
        inference =
                Timer.builder("streambert.inference")
                        .description("Wall time of one device batch (Encoder.encode)")
                        .publishPercentileHistogram()
                        .register(registry);
        flushWait =
                Timer.builder("streambert.admission.wait")
                        .description(
                                "Time a stream thread waited for room under the in-flight bound")
                        .register(registry);
        endToEnd =
                Timer.builder("streambert.end.to.end.latency")
                        .description(
                                "Input record timestamp to output forwarded (output visible after the next commit)")
                        .publishPercentileHistogram()
                        .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Registers the in-flight gauge (tokens submitted to the scheduler and not yet computed). */
    public void queueDepth(Supplier<Number> tokens) {
        io.micrometer.core.instrument.Gauge.builder("streambert.inflight.tokens", tokens)
                .description(
                        "Tokens submitted and not yet computed (queued, backing off, or on the device)")
                .register(registry);
    }

    /** Registers the oldest-buffered-record gauge. */
    public void oldestBuffered(Supplier<Number> ageSeconds) {
        io.micrometer.core.instrument.Gauge.builder(
                        "streambert.buffer.oldest.age.seconds", ageSeconds)
                .description("Age of the oldest record in this process's buffer stores")
                .register(registry);
    }

    /** Registers the time-since-last-successful-device-batch gauge. */
    public void sinceLastDeviceBatch(Supplier<Number> seconds) {
        io.micrometer.core.instrument.Gauge.builder(
                        "streambert.device.last.success.age.seconds", seconds)
                .description("Seconds since the last successful device batch")
                .register(registry);
    }

    public void retried(int sequences) {
        retries.increment(sequences);
    }

    /**
     * A record could not be validated yet ({@code cause}: registry-unavailable or
     * unknown-fingerprint): validation waits and retries, it never dead-letters it.
     */
    public void inputPaused(String cause) {
        inputPaused
                .computeIfAbsent(
                        cause,
                        c ->
                                Counter.builder("streambert.input.paused")
                                        .tag("cause", c)
                                        .description(
                                                "Decode attempts answered by an unavailable schema registry or an unknown schema (pause policy); the record is retried, never dead-lettered")
                                        .register(registry))
                .increment();
        lastPauseCause = cause;
        lastPausedMillis = System.currentTimeMillis();
    }

    public double inputPausedTotal() {
        return inputPaused.values().stream().mapToDouble(Counter::count).sum();
    }

    /** Wall clock of the last {@link #inputPaused}, 0 when never. */
    public long lastPausedMillis() {
        return lastPausedMillis;
    }

    public String lastPauseCause() {
        return lastPauseCause;
    }

    /**
     * A stream thread was replaced; {@code inputPaused}: because a record could not be validated
     * yet (schema registry outage), which {@code /health} does not count against its limit.
     */
    public void threadReplaced(boolean inputPaused) {
        threadReplaced();
        if (inputPaused) pausedReplacements.increment();
    }

    /** Thread replacements not caused by a registry outage (what /health limits). */
    public double unexplainedThreadReplacementsTotal() {
        return threadReplacements.count() - pausedReplacements.count();
    }

    public void threadReplaced() {
        threadReplacements.increment();
    }

    public double threadReplacementsTotal() {
        return threadReplacements.count();
    }

    public double retriesTotal() {
        return retries.count();
    }

    public void admissionWait(long nanos) {
        flushWait.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void recordIn() {
        recordsIn.increment();
    }

    public void deadLetter(Reason reason) {
        deadLetters.get(reason).increment();
    }

    public void eventOut(String kind) {
        eventsOut
                .computeIfAbsent(
                        kind,
                        k ->
                                Counter.builder("streambert.events.out")
                                        .tag("kind", k)
                                        .description("Output events forwarded, by kind")
                                        .register(registry))
                .increment();
    }

    public void deviceBatch(DeviceBatch b) {
        deviceBatchSequences.record(b.sequences());
        deviceBatchTokens.record(b.tokens());
        deviceBatchCallers.record(b.callers());
        deviceBatchFill.record(b.fill());
        inference.record((long) (b.inferenceMs() * 1e6), TimeUnit.NANOSECONDS);
    }

    public void endToEnd(long millis) {
        endToEnd.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    // ---- totals for the progress log ----

    public double recordsInTotal() {
        return recordsIn.count();
    }

    public double deadLettersTotal() {
        return deadLetters.values().stream().mapToDouble(Counter::count).sum();
    }

    public double eventsOutTotal(String kind) {
        Counter c = eventsOut.get(kind);
        return c == null ? 0 : c.count();
    }

    public long deviceBatchesTotal() {
        return inference.count();
    }

    public double deviceTokensTotal() {
        return deviceBatchTokens.totalAmount();
    }

    /** Mean tokens per device launch against the budget, over the life of the process. */
    public double meanDeviceBatchFill() {
        return deviceBatchFill.mean();
    }

    /** Mean stream tasks per device batch. */
    public double meanCallersPerDeviceBatch() {
        return deviceBatchCallers.mean();
    }
}
