package io.streambert.service.batch;

import io.streambert.service.config.ServiceConfig;

/**
 * When a micro-batch is flushed, and how long a flush may wait for its results.
 *
 * @param maxRecords     flush when this many records are buffered
 * @param maxTokens      flush when the buffered records hold this many tokens (may overshoot by one record)
 * @param maxWaitMs      flush when the oldest buffered record has waited this long (wall clock)
 * @param flushTimeoutMs give up waiting for results after this long (the task fails and is retried; see TimeoutBudget)
 */
public record BatchLimits(int maxRecords, int maxTokens, long maxWaitMs, long flushTimeoutMs) {

    public static BatchLimits from(ServiceConfig c, long flushTimeoutMs) {
        return new BatchLimits(c.batchMaxRecords(), c.batchMaxTokens(), c.batchMaxWaitMs(), flushTimeoutMs);
    }

    /** How often the wall-clock punctuator looks at the buffer: a quarter of max-wait, within [5 ms, 250 ms]. */
    public long punctuateEveryMs() {
        return Math.max(5, Math.min(250, maxWaitMs / 4));
    }
}
