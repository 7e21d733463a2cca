package io.streambert.service.ops;

import io.streambert.service.config.HealthLimits;
import io.streambert.service.schedule.InferenceScheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What {@code /health} (liveness) and {@code /ready} (readiness) answer. Both report the same
 * fields: the streams state, the device (ok, or the fault and since when), seconds since the last
 * successful device batch, in-flight tokens, the oldest buffered record's age and the stream-thread
 * replacements. Liveness fails on a sticky device fault, a dead scheduler, a failed streams client,
 * or when a field passes its limit ({@link HealthLimits}); readiness also needs the streams client
 * RUNNING.
 */
public final class HealthCheck {
    private final HealthLimits limits;
    private final InferenceScheduler scheduler;
    private final BufferAges ages;
    private final ServiceMetrics metrics;
    private final Supplier<KafkaStreams.State> state;
    private final BooleanSupplier closing;

    public HealthCheck(
            HealthLimits limits,
            InferenceScheduler scheduler,
            BufferAges ages,
            ServiceMetrics metrics,
            Supplier<KafkaStreams.State> state,
            BooleanSupplier closing) {
        this.limits = limits;
        this.scheduler = scheduler;
        this.ages = ages;
        this.metrics = metrics;
        this.state = state;
        this.closing = closing;
    }

    public OpsHttpServer.Status liveness() {
        long now = System.currentTimeMillis();
        List<String> problems = new ArrayList<>();
        KafkaStreams.State s = state.get();
        boolean closingNow = closing.getAsBoolean();
        if (s == KafkaStreams.State.ERROR
                || s == KafkaStreams.State.PENDING_ERROR
                || (s == KafkaStreams.State.NOT_RUNNING && !closingNow))
            problems.add("kafka streams " + s);
        if (scheduler.stickyFault() != null)
            problems.add("sticky device fault: " + scheduler.stickyFault());
        else if (!scheduler.isRunning() && !closingNow) problems.add("inference scheduler stopped");
        long sinceSuccess = now - scheduler.lastSuccessMillis();
        if (scheduler.hasWork() && sinceSuccess > limits.deviceStallMs())
            problems.add(
                    "no successful device batch for "
                            + sinceSuccess
                            + " ms with work waiting (limit "
                            + limits.deviceStallMs()
                            + ")");
        long oldest = ages.oldestAgeMs(now);
        if (oldest > limits.bufferedAgeMs())
            problems.add(
                    "oldest buffered record waited "
                            + oldest
                            + " ms (limit "
                            + limits.bufferedAgeMs()
                            + ")");
        // Replacements while the schema registry is out are the retry, not a sick process.
        double replaced = metrics.unexplainedThreadReplacementsTotal();
        if (replaced > limits.threadReplacements())
            problems.add(
                    String.format(
                            Locale.ROOT,
                            "%.0f stream thread replacements (limit %d)",
                            replaced,
                            limits.threadReplacements()));
        return new OpsHttpServer.Status(
                problems.isEmpty(),
                (problems.isEmpty() ? "" : String.join("; ", problems) + " | ") + fields(now, s));
    }

    public OpsHttpServer.Status readiness() {
        OpsHttpServer.Status live = liveness();
        boolean running = state.get() == KafkaStreams.State.RUNNING;
        return new OpsHttpServer.Status(live.ok() && running, live.detail());
    }

    private String fields(long now, KafkaStreams.State s) {
        long faultSince = scheduler.faultSinceMillis();
        String device =
                scheduler.stickyFault() != null
                        ? "sticky-fault"
                        : faultSince != 0
                                ? String.format(
                                        Locale.ROOT,
                                        "fault for %.1f s (%s)",
                                        (now - faultSince) / 1000.0,
                                        scheduler.lastFault())
                                : "ok";
        return String.format(
                        Locale.ROOT,
                        "kafka_streams=%s device=%s last_device_batch_age_s=%.1f inflight_tokens=%d "
                                + "oldest_buffered_age_s=%.1f thread_replacements=%.0f retries=%d",
                        s,
                        device,
                        (now - scheduler.lastSuccessMillis()) / 1000.0,
                        scheduler.inflightTokens(),
                        ages.oldestAgeMs(now) / 1000.0,
                        metrics.threadReplacementsTotal(),
                        scheduler.retries())
                + inputPaused(now);
    }

    /**
     * " input_paused=CAUSE last_s=N" while validation waited on the schema registry (or an unknown
     * schema under the pause policy) within the last minute; "" otherwise.
     */
    private String inputPaused(long now) {
        long last = metrics.lastPausedMillis();
        if (last == 0 || now - last > 60_000) return "";
        return String.format(
                Locale.ROOT,
                " input_paused=%s last_s=%.1f",
                metrics.lastPauseCause(),
                (now - last) / 1000.0);
    }
}
