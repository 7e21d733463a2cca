package io.streambert.service.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How long a stream thread can be blocked inside one micro-batch flush, and the Kafka timeouts that
 * must be longer than that.
 *
 * <p>A flush hands the micro-batch to the shared scheduler and waits for it (so that forwarding the
 * results and deleting the buffered records happen in the stream thread's own transaction). While it
 * waits the thread does not poll and its transaction stays open. Worst case it waits for everything
 * already queued ahead of it (at most {@code scheduler.queue.tokens}, i.e. that many tokens / the
 * device token budget full batches), the batch in flight, and its own batches. We assume a device batch's
 * time grows with its tokens, so {@code scheduler.worst.case.batch.ms} (time of one FULL device batch) bounds
 * them all. Records also wait up to {@code batch.max.wait.ms} in the buffer and up to one commit interval
 * before their transaction commits. Hence:
 *
 * <pre>
 *   flushBlockMs = (ceil(queueTokens / deviceTokens) + 1 + ceil((batchTokens + maxSequenceTokens) / deviceTokens)) * worstCaseBatchMs
 *   requiredMs   = batch.max.wait.ms + flushBlockMs + commit.interval.ms
 * </pre>
 *
 * max.poll.interval.ms must exceed 2 x requiredMs (Kafka Streams returns to poll only after half of it has
 * passed) and, under exactly-once, transaction.timeout.ms must exceed requiredMs; the service raises them
 * when they were not set explicitly and refuses to start when they were set too low. These timeouts are
 * about progress, not correctness: exceeding one causes a rebalance or a fenced producer, the open
 * transaction aborts and the work is redone, still exactly once.
 *
 * @param flushBlockMs  how long a flush waits for its results before it gives up (the task then fails and
 *                      its transaction aborts; nothing is lost, the records are processed again)
 * @param requiredMs    the bound the Kafka timeouts must exceed
 */
public record TimeoutBudget(long flushBlockMs, long requiredMs) {

    /** Transaction timeout brokers accept by default (transaction.max.timeout.ms = 15 min). */
    public static final long BROKER_MAX_TRANSACTION_TIMEOUT_MS = 900_000;
    /** Longest single sequence we assume when the model's own limit is not configured (ModernBERT's 8192). */
    static final int DEFAULT_MAX_SEQUENCE_TOKENS = 8192;

    public static TimeoutBudget of(ServiceConfig c, long commitIntervalMs) {
        long device = c.schedulerMaxBatchTokens();
        long seqTokens = c.modelMaxTokens() > 0 ? c.modelMaxTokens() : DEFAULT_MAX_SEQUENCE_TOKENS;
        long ahead = ceilDiv(c.schedulerQueueTokens(), device);
        long own = Math.max(ceilDiv(c.batchMaxTokens() + seqTokens, device), ceilDiv(c.batchMaxRecords(), c.schedulerMaxBatchSequences()));
        long flush = (ahead + 1 + own) * c.schedulerWorstCaseBatchMs();
        return new TimeoutBudget(flush, c.batchMaxWaitMs() + flush + commitIntervalMs);
    }

    /**
     * Checks (and where not set explicitly, raises) max.poll.interval.ms and transaction.timeout.ms in
     * {@code props}, the Kafka Streams properties about to be used. Returns one line per adjustment made.
     *
     * @param explicit the Kafka settings the user set (ServiceConfig#kafka()), to tell a default from a choice
     * @throws ConfigException when an explicit setting is too low, naming both numbers and what to change
     */
    public List<String> enforce(Map<String, Object> props, Map<String, String> explicit, boolean exactlyOnce) {
        List<String> adjusted = new ArrayList<>();
        // Kafka Streams stops processing and polls again once HALF of max.poll.interval.ms has passed since the
        // last poll; a flush started just before that must still end in time, so the interval must exceed
        // 2 x requiredMs. When raising it we leave one more requiredMs of headroom (GC pauses, a second flush).
        checkOrRaise(props, explicit, "max.poll.interval.ms", 300_000, 2 * requiredMs, 3 * requiredMs, adjusted, "consumer.");
        if (exactlyOnce) {
            long target = 2 * requiredMs;
            if (target > BROKER_MAX_TRANSACTION_TIMEOUT_MS && !explicit.containsKey("transaction.timeout.ms")
                    && !explicit.containsKey("producer.transaction.timeout.ms"))
                throw new ConfigException("batching settings need a transaction timeout of " + target + " ms (2 x "
                        + requiredMs + " ms: batch.max.wait.ms + worst-case flush " + flushBlockMs + " ms + commit interval), above the "
                        + "brokers' default transaction.max.timeout.ms of " + BROKER_MAX_TRANSACTION_TIMEOUT_MS
                        + " ms; lower scheduler.queue.tokens or scheduler.worst.case.batch.ms, or raise the brokers' limit and set "
                        + "kafka.transaction.timeout.ms explicitly");
            checkOrRaise(props, explicit, "transaction.timeout.ms", 10_000, requiredMs, target, adjusted, "producer.");
        }
        return adjusted;
    }

    /**
     * @param minimum an explicit value must exceed this
     * @param target  an unset value whose Kafka default is below {@code minimum} is raised to this
     */
    private void checkOrRaise(Map<String, Object> props, Map<String, String> explicit, String key, long kafkaDefault,
                              long minimum, long target, List<String> adjusted, String clientPrefix) {
        String given = explicit.containsKey(clientPrefix + key) ? explicit.get(clientPrefix + key) : explicit.get(key);
        if (given != null) {
            long value;
            try {
                value = Long.parseLong(given.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException("kafka." + key + ": '" + given + "' is not a number of milliseconds");
            }
            if (value <= minimum)
                throw new ConfigException("kafka." + key + "=" + value + " is too low: it must exceed " + minimum + " ms, because a "
                        + "stream thread may be blocked in a micro-batch flush for up to " + requiredMs + " ms (batch.max.wait.ms + "
                        + "worst-case flush " + flushBlockMs + " ms + commit interval; see docs/SERVICE.md, 'Batching and timeouts'). "
                        + "Raise it, or lower scheduler.queue.tokens, scheduler.worst.case.batch.ms or batch.max.tokens");
            return;
        }
        if (kafkaDefault <= minimum) {
            props.put(clientPrefix + key, (int) Math.min(Integer.MAX_VALUE, target));
            adjusted.add(key + " raised from its default " + kafkaDefault + " ms to " + target + " ms (worst-case flush path "
                    + requiredMs + " ms)");
        }
    }

    private static long ceilDiv(long a, long b) { return (a + b - 1) / b; }
}
