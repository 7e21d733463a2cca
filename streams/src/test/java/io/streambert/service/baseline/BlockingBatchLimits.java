package io.streambert.service.baseline;

/**
 * TEST BASELINE ONLY (CapacityIT). When a micro-batch is flushed, and how long a flush may wait for
 * its results.
 *
 * @param maxRecords flush when this many records are buffered
 * @param maxTokens flush when the buffered records hold this many tokens (may overshoot by one
 *     record)
 * @param maxWaitMs flush when the oldest buffered record has waited this long (wall clock)
 * @param flushTimeoutMs give up waiting for results after this long (the task fails and is retried;
 *     see TimeoutBudget)
 */
public record BlockingBatchLimits(
        int maxRecords, int maxTokens, long maxWaitMs, long flushTimeoutMs) {

    /**
     * How often the wall-clock punctuator looks at the buffer: a quarter of max-wait, within [5 ms,
     * 250 ms].
     */
    public long punctuateEveryMs() {
        return Math.max(5, Math.min(250, maxWaitMs / 4));
    }
}
