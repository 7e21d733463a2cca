package io.streambert.service.ops;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per interval (default 10 s) with totals and rates, so a log shows the service is
 * moving without one line per record. Quiet intervals (nothing new) are not logged.
 */
public final class ProgressLogger implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("io.streambert.progress");

    private final ServiceMetrics m;
    private final Supplier<String> state;
    private final Supplier<Integer> queueTokens;
    private final ScheduledExecutorService timer;
    private double lastIn = 0, lastOut = 0, lastDead = 0;
    private long lastBatches = 0;
    private double lastTokens = 0;
    private long lastNanos = System.nanoTime();

    public ProgressLogger(
            ServiceMetrics metrics,
            long intervalMs,
            Supplier<String> state,
            Supplier<Integer> queueTokens) {
        this.m = metrics;
        this.state = state;
        this.queueTokens = queueTokens;
        this.timer =
                Executors.newSingleThreadScheduledExecutor(
                        r ->
                                Thread.ofPlatform()
                                        .name("streambert-progress")
                                        .daemon(true)
                                        .unstarted(r));
        if (intervalMs > 0) {
            // Nothing waits on the schedule: it ends when the timer shuts down.
            var unused =
                    timer.scheduleAtFixedRate(
                            this::tick, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        }
    }

    /** Logs one progress line now if anything changed (also called once at shutdown). */
    public synchronized void tick() {
        double in = m.recordsInTotal();
        double out = m.eventsOutTotal("moderation") + m.eventsOutTotal("embedding");
        double dead = m.deadLettersTotal();
        long batches = m.deviceBatchesTotal();
        double tokens = m.deviceTokensTotal();
        long now = System.nanoTime();
        double secs = Math.max(1e-3, (now - lastNanos) / 1e9);
        if (in != lastIn || out != lastOut || dead != lastDead) {
            long db = batches - lastBatches;
            log.info(
                    String.format(
                            "progress: in %.0f (%.1f/s), out %.0f (moderation %.0f, embedding %.0f), dead letters %.0f (+%.0f), "
                                    + "device batches %d (+%d, avg %.0f tokens), queue %d tokens, state %s",
                            in,
                            (in - lastIn) / secs,
                            out,
                            m.eventsOutTotal("moderation"),
                            m.eventsOutTotal("embedding"),
                            dead,
                            dead - lastDead,
                            batches,
                            db,
                            db == 0 ? 0.0 : (tokens - lastTokens) / db,
                            queueTokens.get(),
                            state.get()));
        }
        lastIn = in;
        lastOut = out;
        lastDead = dead;
        lastBatches = batches;
        lastTokens = tokens;
        lastNanos = now;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
