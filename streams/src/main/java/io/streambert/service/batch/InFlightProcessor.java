package io.streambert.service.batch;

import io.streambert.schemas.TextEvent;
import io.streambert.service.config.Topics;
import io.streambert.service.deadletter.Reason;
import io.streambert.service.ops.BufferAges;
import io.streambert.service.ops.ServiceMetrics;
import io.streambert.service.output.OutputMapper;
import io.streambert.service.schedule.InferenceResult;
import io.streambert.service.schedule.InferenceScheduler;
import io.streambert.service.schedule.SchedulerClosedException;
import io.streambert.service.schedule.Ticket;
import io.streambert.service.validate.DeadLetterPolicy;
import io.streambert.service.validate.ValidatedText;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The buffer: a changelogged key-value store that is the in-flight log (key = arrival sequence, so
 * iteration is arrival order). Neither {@link #process} nor the punctuator ever waits on the
 * device.
 *
 * <ul>
 *   <li>{@code process()} puts the validated record in the store and submits its token ids to the
 *       process-wide scheduler (a {@link Ticket}); it waits only when the in-flight bound is
 *       reached, and then at most {@code admissionWaitMs};
 *   <li>a wall-clock punctuator (every {@code forwardIntervalMs}) takes completed tickets from the
 *       head, in arrival order, forwards their outputs and deletes their store entries, in the
 *       current transaction; it stops at the first ticket not yet done, so per-partition (hence
 *       per-key) order is the input order;
 *   <li>{@code init()} resubmits whatever the store holds (after a crash, a revoke, a migration),
 *       re-tokenizing records that carry another tokenizer/model revision; {@code close()} cancels
 *       the task's outstanding work.
 * </ul>
 *
 * <p>Why nothing is lost or duplicated under exactly-once: a record enters the store in the
 * transaction that consumes its offset, and leaves it only in the transaction that forwards its
 * outputs (a store delete is a changelog tombstone in the same producer transaction). A crash
 * aborts the open transaction; the restored store then holds exactly the records whose outputs were
 * not committed, and {@code init()} submits them again.
 */
public final class InFlightProcessor extends ContextualProcessor<byte[], Object, byte[], Object> {
    private static final Logger log = LoggerFactory.getLogger(InFlightProcessor.class);

    /**
     * Settings of the buffer.
     *
     * @param normalizeText re-tokenize (after an upgrade) the text as validation reads it
     *     (text.normalize)
     */
    public record Settings(
            String storeName,
            String revision,
            long forwardIntervalMs,
            long admissionWaitMs,
            boolean normalizeText) {}

    private final Settings settings;
    private final InferenceScheduler scheduler;
    private final OutputBuilder outputs;
    private final Retokenizer retokenizer;
    private final ServiceMetrics metrics;
    private final BufferAges ages;
    private final BooleanSupplier draining;

    /**
     * A buffered record with its ticket (null: not submitted yet) or a result known without the
     * device.
     */
    private static final class InFlight {
        final BufferedRecord record;
        Ticket ticket;
        final Retokenizer.Rejected rejected;

        InFlight(BufferedRecord record, Retokenizer.Rejected rejected) {
            this.record = record;
            this.rejected = rejected;
        }
    }

    private KeyValueStore<Long, BufferedRecord> store;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private long nextSeq;
    private int unsubmitted; // records without a ticket (draining, or the scheduler refused them)

    /**
     * @param deadLetters how inference failures are written as dead letters (payload limit, the
     *     original value or only the text's hash)
     * @param deserializer decodes a kept value again, to re-tokenize it after an upgrade
     * @param draining true once shutdown began: nothing new is submitted, records stay buffered
     */
    public InFlightProcessor(
            Settings settings,
            InferenceScheduler scheduler,
            OutputMapper mapper,
            Topics topics,
            DeadLetterPolicy deadLetters,
            Deserializer<TextEvent> deserializer,
            ServiceMetrics metrics,
            BufferAges ages,
            BooleanSupplier draining) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.outputs = new OutputBuilder(mapper, topics, deadLetters);
        this.retokenizer =
                new Retokenizer(deserializer, scheduler.encoder(), settings.normalizeText());
        this.metrics = metrics;
        this.ages = ages;
        this.draining = draining;
    }

    @Override
    public void init(ProcessorContext<byte[], Object> context) {
        super.init(context);
        store = context.getStateStore(settings.storeName());
        cancelAll();
        restoreStored();
        for (InFlight f : inFlight)
            submit(f, 0); // already in the store: admitted without waiting for room
        updateAge();
        context.schedule(
                Duration.ofMillis(settings.forwardIntervalMs()),
                PunctuationType.WALL_CLOCK_TIME,
                now -> forwardCompleted());
    }

    /**
     * Loads whatever the store holds (after a crash, a revoke, a migration) into the in-flight
     * queue, in arrival order, re-tokenizing records of another tokenizer/model revision.
     */
    private void restoreStored() {
        nextSeq = 0;
        int restored = 0, retokenized = 0;
        try (KeyValueIterator<Long, BufferedRecord> it = store.all()) {
            while (it.hasNext()) {
                BufferedRecord r = it.next().value;
                nextSeq = Math.max(nextSeq, r.seq() + 1);
                restored++;
                Retokenizer.Rejected rejected = null;
                if (!settings.revision().equals(r.revision())) {
                    retokenized++;
                    switch (retokenizer.retokenize(r)) {
                        case Retokenizer.Ids ids ->
                                r = r.withTokenIds(ids.ids(), settings.revision());
                        case Retokenizer.Rejected rej -> rejected = rej;
                    }
                }
                inFlight.add(new InFlight(r, rejected));
            }
        }
        if (restored > 0)
            log.info(
                    "task {}: {} buffered records survived a restart or a rebalance ({} re-tokenized for revision {}); resubmitting them",
                    context().taskId(),
                    restored,
                    retokenized,
                    settings.revision());
    }

    @Override
    public void process(org.apache.kafka.streams.processor.api.Record<byte[], Object> record) {
        ValidatedText text = (ValidatedText) record.value();
        BufferedRecord b =
                new BufferedRecord(
                        nextSeq++, System.currentTimeMillis(), settings.revision(), text);
        store.put(b.seq(), b);
        InFlight f = new InFlight(b, null);
        inFlight.add(f);
        if (inFlight.size() == 1) updateAge();
        long t0 = System.nanoTime();
        submit(f, settings.admissionWaitMs());
        long waited = System.nanoTime() - t0;
        if (waited > 1_000_000)
            metrics.admissionWait(waited); // only real waits for room, not the submit itself
    }

    private void submit(InFlight f, long maxWaitMs) {
        if (f.ticket != null || f.rejected != null) return;
        if (!draining.getAsBoolean()) {
            try {
                f.ticket = scheduler.submit(this, f.record.text().tokenIds(), maxWaitMs);
                return;
            } catch (SchedulerClosedException e) {
                // shutting down: the record stays in the store and is submitted by the next owner
            }
        }
        unsubmitted++;
    }

    /**
     * Forwards the outputs of completed records from the head of the buffer, in arrival order, and
     * deletes their entries: outputs and deletes belong to the current transaction. Never waits.
     */
    void forwardCompleted() {
        long now = System.currentTimeMillis();
        int forwarded = 0;
        for (InFlight head; (head = completedHead()) != null; forwarded++) {
            forwardOutputs(outputsOf(head, now));
            deleteFromBuffer(head, now);
        }
        if (forwarded > 0) updateAge();
        resubmitUnsubmitted();
    }

    /**
     * The oldest record when its outputs are known (rejected without the device, or its ticket
     * completed), else null. A ticket completed exceptionally means the scheduler is closing: the
     * record stays buffered.
     */
    private InFlight completedHead() {
        InFlight head = inFlight.peekFirst();
        if (head == null || head.rejected != null) return head;
        if (head.ticket == null || !head.ticket.isDone()) return null;
        return head.ticket.future().isCompletedExceptionally() ? null : head;
    }

    /** What {@code f} writes: a dead letter when it was rejected, else what its result maps to. */
    private List<OutputBuilder.Out> outputsOf(InFlight f, long now) {
        if (f.rejected != null) {
            Reason reason =
                    f.rejected.tooManyTokens() ? Reason.TOO_MANY_TOKENS : Reason.INFERENCE_FAILED;
            List<OutputBuilder.Out> out =
                    List.of(outputs.deadLetter(f.record.text(), reason, f.rejected.message(), now));
            metrics.deadLetter(reason);
            return out;
        }
        InferenceResult result = f.ticket.result();
        List<OutputBuilder.Out> out = outputs.build(f.record, result, now);
        if (result instanceof InferenceResult.Failure) metrics.deadLetter(Reason.INFERENCE_FAILED);
        return out;
    }

    private void forwardOutputs(List<OutputBuilder.Out> out) {
        for (OutputBuilder.Out o : out) {
            context().forward(o.record(), o.sink());
            metrics.eventOut(o.kind());
        }
    }

    /** Deletes the forwarded head from the store (a tombstone in the same transaction). */
    private void deleteFromBuffer(InFlight head, long now) {
        store.delete(head.record.seq());
        metrics.endToEnd(now - head.record.text().timestamp());
        inFlight.pollFirst();
    }

    /**
     * Records not yet submitted (draining ended, or the scheduler refused them) get another chance
     * here.
     */
    private void resubmitUnsubmitted() {
        if (unsubmitted > 0 && !draining.getAsBoolean()) {
            unsubmitted = 0;
            for (InFlight f : inFlight) submit(f, 0);
        }
    }

    private void updateAge() {
        ages.set(
                this,
                inFlight.isEmpty() ? Long.MAX_VALUE : inFlight.peekFirst().record.arrivalMs());
    }

    /** Records in the buffer (tests). */
    int buffered() {
        return inFlight.size();
    }

    private void cancelAll() {
        for (InFlight f : inFlight) if (f.ticket != null) f.ticket.cancel();
        inFlight.clear();
        unsubmitted = 0;
        ages.remove(this);
    }

    @Override
    public void close() {
        cancelAll();
    }
}
