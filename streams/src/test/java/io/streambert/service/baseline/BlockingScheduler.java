package io.streambert.service.baseline;

import io.streambert.engine.DeviceException;
import io.streambert.engine.Encoder;
import io.streambert.engine.InputRejectedException;
import io.streambert.engine.Prediction;
import io.streambert.service.schedule.DeviceBatch;
import io.streambert.service.schedule.InferenceResult;
import io.streambert.service.schedule.SchedulerClosedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TEST BASELINE ONLY: the blocking scheduler this release replaced (kept to measure against in
 * CapacityIT). The one place per process that talks to the device. Stream threads submit their
 * micro-batches; one scheduler thread merges whatever is queued into device batches of at most
 * {@code maxBatchTokens} tokens and {@code maxBatchSequences} sequences (a micro-batch may be split
 * across device batches, and one device batch may hold the tails and heads of several), runs {@link
 * Encoder#encode}, and completes each caller's future once all its sequences are done, results in
 * submission order.
 *
 * <p>Backpressure: at most {@code queueTokens} tokens are admitted and not yet finished; {@link
 * #submit} blocks until there is room, which stalls the submitting stream thread and therefore its
 * polling.
 *
 * <p>Failures: an {@link InputRejectedException} or other exception the encoder throws for a batch
 * is retried sequence by sequence, so one bad input fails alone ({@link InferenceResult.Failure},
 * which the topology sends to the dead-letter topic). A {@link DeviceException} or an {@link Error}
 * means the device itself is broken: the futures complete exceptionally, the stream tasks fail,
 * their transactions abort, and the records are processed again rather than dead-lettered.
 */
public final class BlockingScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BlockingScheduler.class);

    private final Encoder encoder;
    private final int maxBatchTokens;
    private final int maxBatchSequences;
    private final int queueTokens;
    private final Semaphore admitted;
    private final LinkedBlockingQueue<Request> pending = new LinkedBlockingQueue<>();
    private final Consumer<DeviceBatch> listener;
    private final Thread thread;
    private volatile boolean closed;

    public BlockingScheduler(
            Encoder encoder,
            int maxBatchTokens,
            int maxBatchSequences,
            int queueTokens,
            Consumer<DeviceBatch> listener) {
        if (maxBatchTokens < 1 || maxBatchSequences < 1 || queueTokens < 1)
            throw new IllegalArgumentException(
                    "scheduler limits must be positive: tokens="
                            + maxBatchTokens
                            + " sequences="
                            + maxBatchSequences
                            + " queue="
                            + queueTokens);
        this.encoder = encoder;
        this.maxBatchTokens = maxBatchTokens;
        this.maxBatchSequences = maxBatchSequences;
        this.queueTokens = queueTokens;
        this.admitted = new Semaphore(queueTokens, true);
        this.listener = listener == null ? b -> {} : listener;
        this.thread =
                Thread.ofPlatform().name("streambert-inference").daemon(true).unstarted(this::loop);
        thread.start();
    }

    public Encoder encoder() {
        return encoder;
    }

    /** Tokens admitted and not yet finished (queued or on the device): the queue-depth gauge. */
    public int queuedTokens() {
        return queueTokens - admitted.availablePermits();
    }

    public boolean isRunning() {
        return thread.isAlive();
    }

    /**
     * Queues {@code sequences} (token ids as from {@code Encoder.tokenize}); blocks while the queue
     * is full. The future completes with one result per sequence, in order.
     *
     * @throws SchedulerClosedException once {@link #close()} was called
     * @throws InterruptedException when the caller is interrupted while waiting for room
     */
    public CompletableFuture<List<InferenceResult>> submit(List<int[]> sequences)
            throws InterruptedException {
        if (closed) throw new SchedulerClosedException();
        if (sequences.isEmpty()) return CompletableFuture.completedFuture(List.of());
        long tokens = 0;
        for (int[] s : sequences) tokens += s.length;
        // A micro-batch bigger than the whole queue takes all of it rather than waiting forever.
        int permits = (int) Math.min(tokens, queueTokens);
        admitted.acquire(permits);
        Request r = new Request(List.copyOf(sequences), permits);
        if (closed) {
            admitted.release(permits);
            throw new SchedulerClosedException();
        }
        pending.add(r);
        return r.future;
    }

    /** Stops taking new batches, finishes everything already queued, then stops the thread. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the scheduler thread ----

    private static final class Request {
        final List<int[]> sequences;
        final int permits;
        final InferenceResult[] results;
        final CompletableFuture<List<InferenceResult>> future = new CompletableFuture<>();
        int next; // next sequence to put into a device batch
        int finished; // results filled in

        Request(List<int[]> sequences, int permits) {
            this.sequences = sequences;
            this.permits = permits;
            this.results = new InferenceResult[sequences.size()];
        }
    }

    private record Slot(Request request, int index) {}

    private void loop() {
        ArrayDeque<Request> open =
                new ArrayDeque<>(); // requests taken from the queue, not fully batched yet
        while (true) {
            try {
                if (open.isEmpty()) {
                    Request r = pending.poll(50, TimeUnit.MILLISECONDS);
                    if (r == null) {
                        if (closed && pending.isEmpty()) return;
                        continue;
                    }
                    open.add(r);
                }
                List<Slot> slots = fill(open);
                run(slots);
            } catch (InterruptedException e) {
                if (closed) return;
            } catch (Throwable t) {
                log.error("inference scheduler loop failed; failing the open requests", t);
                for (Request r : open) fail(r, t);
                open.clear();
            }
        }
    }

    /**
     * Takes sequences from the open requests (then from the queue, without waiting) up to the
     * device limits.
     */
    private List<Slot> fill(ArrayDeque<Request> open) {
        List<Slot> slots = new ArrayList<>();
        int tokens = 0;
        while (slots.size() < maxBatchSequences) {
            Request r = open.peek();
            if (r == null) {
                r = pending.poll();
                if (r == null) break;
                open.add(r);
            }
            int len = r.sequences.get(r.next).length;
            // Always take at least one sequence, so one longer than the budget still runs (alone).
            if (!slots.isEmpty() && tokens + len > maxBatchTokens) break;
            slots.add(new Slot(r, r.next));
            tokens += len;
            if (++r.next == r.sequences.size()) open.poll();
        }
        return slots;
    }

    private void run(List<Slot> slots) {
        List<int[]> seqs = new ArrayList<>(slots.size());
        int tokens = 0;
        IdentityHashMap<Request, Boolean> callers = new IdentityHashMap<>();
        for (Slot s : slots) {
            int[] ids = s.request.sequences.get(s.index);
            seqs.add(ids);
            tokens += ids.length;
            callers.put(s.request, Boolean.TRUE);
        }
        long startMillis = System.currentTimeMillis();
        long t0 = System.nanoTime();
        Object[] out;
        try {
            out = encodeIsolating(seqs);
        } catch (Throwable deviceFailure) {
            log.error(
                    "device failure on a batch of {} sequences / {} tokens; failing {} callers",
                    seqs.size(),
                    tokens,
                    callers.size(),
                    deviceFailure);
            for (Request r : callers.keySet()) fail(r, deviceFailure);
            return;
        }
        DeviceBatch batch =
                new DeviceBatch(
                        seqs.size(),
                        tokens,
                        callers.size(),
                        startMillis,
                        (System.nanoTime() - t0) / 1e6);
        listener.accept(batch);
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            Request r = s.request;
            if (r.future.isDone()) continue;
            r.results[s.index] =
                    out[i] instanceof Prediction p
                            ? new InferenceResult.Success(p, batch)
                            : failure((RuntimeException) out[i], batch);
            if (++r.finished == r.results.length) {
                admitted.release(r.permits);
                r.future.complete(Arrays.asList(r.results));
            }
        }
    }

    /**
     * Per sequence a Prediction or the RuntimeException that sequence alone caused; device failures
     * propagate.
     */
    private Object[] encodeIsolating(List<int[]> seqs) {
        try {
            return checked(encoder.encode(seqs), seqs.size()).toArray();
        } catch (DeviceException e) {
            throw e;
        } catch (RuntimeException batchFailure) {
            if (seqs.size() == 1) return new Object[] {batchFailure};
            log.warn(
                    "batch of {} sequences failed ({}); retrying one by one to isolate the bad input",
                    seqs.size(),
                    batchFailure.toString());
            Object[] out = new Object[seqs.size()];
            for (int i = 0; i < seqs.size(); i++) {
                try {
                    out[i] = checked(encoder.encode(List.of(seqs.get(i))), 1).get(0);
                } catch (DeviceException e) {
                    throw e;
                } catch (RuntimeException e) {
                    out[i] = e;
                }
            }
            return out;
        }
    }

    private static List<Prediction> checked(List<Prediction> predictions, int expected) {
        if (predictions == null || predictions.size() != expected)
            throw new DeviceException(
                    "encoder returned "
                            + (predictions == null ? "null" : predictions.size() + " predictions")
                            + " for "
                            + expected
                            + " sequences");
        return predictions;
    }

    private static InferenceResult failure(RuntimeException e, DeviceBatch batch) {
        String what =
                e instanceof InputRejectedException
                        ? "encoder rejected the input: "
                        : "encoder failed on this input: ";
        return new InferenceResult.Failure(
                "INFERENCE_FAILED",
                what + e.getClass().getSimpleName() + ": " + e.getMessage(),
                batch);
    }

    /**
     * Only the scheduler thread completes futures; room is given back before the caller can see the
     * outcome.
     */
    private void fail(Request r, Throwable t) {
        if (r.future.isDone()) return;
        admitted.release(r.permits);
        r.future.completeExceptionally(t);
    }
}
