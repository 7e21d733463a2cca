package io.streambert.service.baseline;

import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.service.batch.BufferedRecord;
import io.streambert.service.config.Topics;
import io.streambert.service.deadletter.Reason;
import io.streambert.service.ops.ServiceMetrics;
import io.streambert.service.output.OutputMapper;
import io.streambert.service.output.Router;
import io.streambert.service.schedule.InferenceResult;
import io.streambert.service.schedule.SchedulerClosedException;
import io.streambert.service.validate.DeadLetters;
import io.streambert.service.validate.ValidatedText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TEST BASELINE ONLY: the blocking design this release replaced (kept to measure against in
 * CapacityIT). The micro-batch: buffers validated records in a changelogged key-value store (key =
 * arrival sequence, so iteration is arrival order) and flushes it when it holds {@code maxRecords}
 * records or {@code maxTokens} tokens, or when its oldest record has waited {@code maxWaitMs}
 * (wall-clock punctuator). A flush takes the oldest micro-batch; normally that is the whole buffer.
 *
 * <p>Why nothing is lost: a record is in the store before process() returns, and the store's
 * changelog write belongs to the same transaction as the input offset. A flush runs inside one
 * process() or punctuate() call: it waits for all results, then forwards every output and deletes
 * every buffered entry, so the outputs, the deletes (changelog tombstones) and the offsets commit
 * or abort together. If the process dies before that commit, the transaction aborts, the store is
 * restored from the changelog with the records still in it, and the first punctuation after the
 * restart flushes them.
 *
 * <p>Per-key order: a key lives in one partition, one task, one buffer; the buffer is flushed
 * oldest first, in arrival order, and outputs are forwarded in that order.
 */
public final class BlockingMicroBatchProcessor
        extends ContextualProcessor<byte[], Object, byte[], Object> {
    private static final Logger log = LoggerFactory.getLogger(BlockingMicroBatchProcessor.class);

    private final String storeName;
    private final BlockingBatchLimits limits;
    private final BlockingScheduler scheduler;
    private final OutputMapper mapper;
    private final Router router;
    private final Topics topics;
    private final ServiceMetrics metrics;
    private final BooleanSupplier draining;

    private KeyValueStore<Long, BufferedRecord> store;
    private long nextSeq;
    private int count;
    private int tokens;
    private long oldestArrivalMs;
    private boolean restoredRecords;

    /**
     * @param draining true once shutdown began: flushes stop, buffered records stay safely in the
     *     store
     */
    public BlockingMicroBatchProcessor(
            String storeName,
            BlockingBatchLimits limits,
            BlockingScheduler scheduler,
            OutputMapper mapper,
            Topics topics,
            ServiceMetrics metrics,
            BooleanSupplier draining) {
        this.storeName = storeName;
        this.limits = limits;
        this.scheduler = scheduler;
        this.mapper = mapper;
        this.router = new Router(topics);
        this.topics = topics;
        this.metrics = metrics;
        this.draining = draining;
    }

    @Override
    public void init(ProcessorContext<byte[], Object> context) {
        super.init(context);
        store = context.getStateStore(storeName);
        // Rebuild the in-memory counters from what the store holds (non-empty after a restart).
        count = 0;
        tokens = 0;
        nextSeq = 0;
        oldestArrivalMs = Long.MAX_VALUE;
        try (KeyValueIterator<Long, BufferedRecord> it = store.all()) {
            while (it.hasNext()) {
                BufferedRecord r = it.next().value;
                count++;
                tokens += r.tokens();
                nextSeq = Math.max(nextSeq, r.seq() + 1);
                oldestArrivalMs = Math.min(oldestArrivalMs, r.arrivalMs());
            }
        }
        restoredRecords = count > 0;
        if (restoredRecords)
            log.info(
                    "task {}: {} buffered records ({} tokens) survived the restart; flushing them from the first punctuation on",
                    context.taskId(),
                    count,
                    tokens);
        context.schedule(
                Duration.ofMillis(limits.punctuateEveryMs()),
                PunctuationType.WALL_CLOCK_TIME,
                this::onWallClock);
    }

    @Override
    public void process(Record<byte[], Object> record) {
        ValidatedText text = (ValidatedText) record.value();
        long now = context().currentSystemTimeMs();
        BufferedRecord b = new BufferedRecord(nextSeq++, now, "", text);
        store.put(b.seq(), b);
        count++;
        tokens += b.tokens();
        oldestArrivalMs = Math.min(oldestArrivalMs, now);
        // Normally one flush empties the buffer; after a drain or a restart it may hold several
        // micro-batches.
        while (count >= limits.maxRecords() || tokens >= limits.maxTokens()) if (!flush()) break;
    }

    private void onWallClock(long now) {
        if (count == 0) return;
        if (restoredRecords) flush();
        else if (now - oldestArrivalMs >= limits.maxWaitMs()) flush();
    }

    /** Buffered record count (for tests and the progress log). */
    int buffered() {
        return count;
    }

    /**
     * Flushes the oldest micro-batch in the buffer: records in arrival order up to {@code
     * maxRecords} records or until {@code maxTokens} is reached (so one flush is never bigger than
     * the timeout budget assumes, even when a drain or a restart left more behind; the rest goes at
     * the next trigger).
     *
     * @return false when nothing was flushed because shutdown began (the records stay buffered)
     */
    private boolean flush() {
        if (draining.getAsBoolean())
            return false; // shutting down: leave them buffered (committed) for the next run
        List<BufferedRecord> batch = new ArrayList<>(Math.min(count, limits.maxRecords()));
        long nextOldest = Long.MAX_VALUE;
        try (KeyValueIterator<Long, BufferedRecord> it = store.all()) {
            int chunkTokens = 0;
            while (it.hasNext()) {
                BufferedRecord r = it.next().value;
                if (batch.size() >= limits.maxRecords() || chunkTokens >= limits.maxTokens()) {
                    nextOldest = r.arrivalMs(); // arrival order = sequence order: the first one
                    // left is the oldest
                    break;
                }
                batch.add(r);
                chunkTokens += r.tokens();
            }
        }
        List<int[]> ids = new ArrayList<>(batch.size());
        int batchTokens = 0;
        for (BufferedRecord r : batch) {
            ids.add(r.text().tokenIds());
            batchTokens += r.tokens();
        }
        List<InferenceResult> results;
        try {
            CompletableFuture<List<InferenceResult>> f = scheduler.submit(ids);
            results = f.get(limits.flushTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (SchedulerClosedException e) {
            log.info(
                    "task {}: scheduler closed, keeping {} records buffered for the next run",
                    context().taskId(),
                    count);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException(
                    "interrupted while waiting for inference; the transaction aborts and the batch is retried",
                    e);
        } catch (TimeoutException e) {
            throw new StreamsException(
                    "no inference results after "
                            + limits.flushTimeoutMs()
                            + " ms for a micro-batch of "
                            + batch.size()
                            + " records; failing the task so its transaction aborts and the records are retried",
                    e);
        } catch (ExecutionException e) {
            throw new StreamsException(
                    "inference failed for the whole micro-batch (device failure); the transaction aborts "
                            + "and the records are retried: "
                            + e.getCause(),
                    e.getCause());
        }
        long now = context().currentSystemTimeMs();

        // Build every output before forwarding any: an exception above leaves nothing half-sent.
        List<Record<byte[], Object>> out = new ArrayList<>(batch.size() * 2);
        List<String> sinks = new ArrayList<>(batch.size() * 2);
        for (int i = 0; i < batch.size(); i++) {
            BufferedRecord b = batch.get(i);
            ValidatedText t = b.text();
            Record<byte[], Object> base = new Record<>(t.key(), null, t.timestamp());
            switch (results.get(i)) {
                case InferenceResult.Success s -> {
                    if (!topics.moderationTopics().isEmpty()) {
                        ModerationEvent m =
                                mapper.moderation(t, s.prediction(), s.batch(), b.arrivalMs(), now);
                        for (String topic : router.moderationDestinations(m)) {
                            out.add(base.withValue(m));
                            sinks.add(Topics.sinkName(topic));
                        }
                    }
                    if (topics.embeddingOn()) {
                        EmbeddingEvent e = mapper.embedding(t, s.prediction());
                        out.add(base.withValue(e));
                        sinks.add(Topics.sinkName(topics.embedding()));
                    }
                }
                case InferenceResult.Failure f -> {
                    DeadLetter d = DeadLetters.of(t, Reason.INFERENCE_FAILED, f.message(), now);
                    out.add(base.withValue(d));
                    sinks.add(Topics.sinkName(topics.deadLetter()));
                    metrics.deadLetter(Reason.INFERENCE_FAILED);
                }
            }
        }
        for (int i = 0; i < out.size(); i++) {
            context().forward(out.get(i), sinks.get(i));
            metrics.eventOut(kindOf(out.get(i).value(), sinks.get(i)));
        }
        for (BufferedRecord b : batch) {
            store.delete(b.seq());
            metrics.endToEnd(System.currentTimeMillis() - b.text().timestamp());
        }

        count -= batch.size();
        tokens -= batchTokens;
        oldestArrivalMs = count == 0 ? Long.MAX_VALUE : nextOldest;
        if (count == 0)
            restoredRecords =
                    false; // else: the next punctuation flushes the next restored micro-batch
        return true;
    }

    private String kindOf(Object value, String sink) {
        if (value instanceof EmbeddingEvent) return "embedding";
        if (value instanceof DeadLetter) return "dead-letter";
        if (sink.equals(Topics.sinkName(topics.moderation()))) return "moderation";
        return "moderation-routed";
    }
}
