package io.streambert.service.schedule;

import io.streambert.service.config.ServiceConfig;

/**
 * How the scheduler forms device batches and bounds its work.
 *
 * @param maxBatchTokens token budget of one device batch (a single longer sequence runs alone)
 * @param maxBatchSequences sequence limit of one device batch
 * @param maxDelayMs a batch starts when the budget is reached, or when the oldest pending sequence
 *     has waited this long
 * @param maxInflightTokens tokens submitted and not yet computed, per process: admission slows down
 *     beyond it
 * @param backoffMs first retry delay after a device error (doubled per attempt)
 * @param backoffMaxMs longest retry delay
 */
public record SchedulerSettings(
        int maxBatchTokens,
        int maxBatchSequences,
        long maxDelayMs,
        int maxInflightTokens,
        long backoffMs,
        long backoffMaxMs) {
    public SchedulerSettings {
        if (maxBatchTokens < 1
                || maxBatchSequences < 1
                || maxInflightTokens < 1
                || maxDelayMs < 0
                || backoffMs < 1
                || backoffMaxMs < backoffMs)
            throw new IllegalArgumentException(
                    "bad scheduler settings: "
                            + maxBatchTokens
                            + " tokens, "
                            + maxBatchSequences
                            + " sequences, delay "
                            + maxDelayMs
                            + " ms, in-flight "
                            + maxInflightTokens
                            + ", backoff "
                            + backoffMs
                            + ".."
                            + backoffMaxMs);
    }

    public static SchedulerSettings from(ServiceConfig c) {
        ServiceConfig.Scheduler s = c.scheduler();
        return new SchedulerSettings(
                s.maxBatchTokens(),
                s.maxBatchSequences(),
                s.maxDelayMs(),
                s.maxInflightTokens(),
                s.retryBackoffMs(),
                s.retryBackoffMaxMs());
    }

    /** Retry delay before attempt {@code attempt} (1 = first retry). */
    long backoff(int attempt) {
        long d = backoffMs;
        for (int i = 1; i < attempt && d < backoffMaxMs; i++) d *= 2;
        return Math.min(d, backoffMaxMs);
    }
}
