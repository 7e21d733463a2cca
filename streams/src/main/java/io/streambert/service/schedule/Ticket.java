package io.streambert.service.schedule;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One submitted sequence: its token ids and the future of its result. The stream task that
 * submitted it polls {@link #isDone()} from its punctuator (never waits on it) and may {@link
 * #cancel()} it when it closes.
 */
public final class Ticket {
    final Object owner;
    final int[] ids;
    final CompletableFuture<InferenceResult> future = new CompletableFuture<>();
    final long submittedNanos;
    private final AtomicBoolean released = new AtomicBoolean();
    private final InferenceScheduler scheduler;
    volatile boolean cancelled;
    int attempts; // failed device attempts so far (scheduler thread only)
    long notBeforeNanos; // retry backoff: not batched before this time

    Ticket(InferenceScheduler scheduler, Object owner, int[] ids, long now) {
        this.scheduler = scheduler;
        this.owner = owner;
        this.ids = ids;
        this.submittedNanos = now;
        this.notBeforeNanos = now;
    }

    public int tokens() {
        return ids.length;
    }

    public boolean isDone() {
        return future.isDone();
    }

    /** The result; only once {@link #isDone()}. */
    public InferenceResult result() {
        return future.getNow(null);
    }

    public CompletableFuture<InferenceResult> future() {
        return future;
    }

    /**
     * The owner no longer wants the result (its task closed): the sequence is dropped if not yet
     * computed.
     */
    public void cancel() {
        cancelled = true;
        release();
        future.cancel(false);
    }

    /** Gives the tokens back to the in-flight bound, once. */
    void release() {
        if (released.compareAndSet(false, true)) scheduler.released(ids.length);
    }
}
