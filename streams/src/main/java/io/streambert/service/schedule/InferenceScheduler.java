package io.streambert.service.schedule;

import io.streambert.engine.Encoder;
import io.streambert.engine.InputRejectedException;
import io.streambert.engine.Prediction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place per process that talks to the device: continuous batching across every stream task
 * and thread.
 *
 * <p>Stream tasks {@link #submit} single sequences without waiting for their results (a {@link
 * Ticket} they poll). A <em>batcher</em> thread merges pending sequences from all tasks into a
 * device batch once their tokens reach {@code maxBatchTokens} (or {@code maxBatchSequences}
 * sequences), or once the oldest has waited {@code maxDelayMs}. It packs by length: first fit in
 * arrival order (a sequence that does not fit leaves room for later, shorter ones), then the batch
 * is sorted longest first. A <em>device</em> thread runs the batches. Two batches are in flight:
 * the batcher forms the next one while the device runs the current one, and the device thread takes
 * it the moment it is free.
 *
 * <p>In-flight bound: at most {@code maxInflightTokens} tokens are submitted and not yet computed.
 * Beyond it {@link #submit} waits, at most its {@code maxWaitMs} (a short, fixed time, so a stream
 * thread's poll interval is not stretched; Kafka Streams itself returns to polling after its
 * iteration budget), which slows input to the device's pace. Room comes back as the device
 * computes, independent of any stream thread.
 *
 * <p>Failures ({@link DeviceFault}): an input error or a device out-of-memory splits the batch in
 * halves until the failing sequence is alone, which then gets an {@link InferenceResult.Failure}
 * (its record is dead-lettered as INFERENCE_FAILED); any other device error puts the batch back
 * with exponential backoff (the records stay buffered, the stream threads go on); a sticky fault
 * stops the device thread and is reported to the listener, which takes the process down so another
 * instance takes over.
 */
public final class InferenceScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InferenceScheduler.class);

    /**
     * The batcher looks this many times the sequence limit into the queue for sequences that fit.
     */
    private static final int SCAN_FACTOR = 4;

    private final Encoder encoder;
    private final SchedulerSettings settings;
    private final SchedulerListener listener;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition(); // batcher: arrivals, slot freed, close
    private final Condition room = lock.newCondition(); // submitters: in-flight tokens went down
    private final Condition preparedSet = lock.newCondition(); // device thread: a batch is ready
    private final ArrayDeque<Ticket> pending = new ArrayDeque<>();
    private final List<Ticket> backingOff = new ArrayList<>();
    private long pendingTokens;
    private long inflightTokens;
    private List<Ticket> prepared;

    private final Thread batcher;
    private final Thread device;
    private volatile boolean closed;
    private volatile Throwable stickyFault;
    private volatile long lastSuccessMillis = System.currentTimeMillis();
    private volatile long faultSinceMillis;
    private volatile String lastFault = "";
    private volatile long runningSinceMillis;
    private int consecutiveFailures; // device thread only
    private long deviceNotBeforeNanos; // device thread only: no launch before this (backoff after a
    // device error)
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong overAdmitted = new AtomicLong();

    public InferenceScheduler(
            Encoder encoder, SchedulerSettings settings, SchedulerListener listener) {
        this.encoder = encoder;
        this.settings = settings;
        this.listener = listener == null ? new SchedulerListener() {} : listener;
        this.batcher =
                Thread.ofPlatform()
                        .name("streambert-batcher")
                        .daemon(true)
                        .unstarted(this::batcherLoop);
        this.device =
                Thread.ofPlatform()
                        .name("streambert-device")
                        .daemon(true)
                        .unstarted(this::deviceLoop);
        batcher.start();
        device.start();
    }

    public Encoder encoder() {
        return encoder;
    }

    public SchedulerSettings settings() {
        return settings;
    }

    // ---- submitting ----

    /**
     * Queues one sequence (token ids as from {@code Encoder.tokenize}). Never waits for the device:
     * it waits at most {@code maxWaitMs} for room under the in-flight bound, then admits the
     * sequence anyway (counted in {@link #overAdmitted()}).
     *
     * @param owner the submitting stream task (device batches report how many distinct owners they
     *     merge)
     * @throws SchedulerClosedException once {@link #close()} was called
     */
    public Ticket submit(Object owner, int[] ids, long maxWaitMs) {
        lock.lock();
        try {
            if (closed) throw new SchedulerClosedException();
            if (maxWaitMs > 0
                    && inflightTokens > 0
                    && inflightTokens + ids.length > settings.maxInflightTokens()) {
                long left = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
                while (!closed
                        && inflightTokens > 0
                        && inflightTokens + ids.length > settings.maxInflightTokens()
                        && left > 0) left = room.awaitNanos(left);
                if (closed) throw new SchedulerClosedException();
            }
            if (inflightTokens > 0 && inflightTokens + ids.length > settings.maxInflightTokens())
                overAdmitted.incrementAndGet();
            inflightTokens += ids.length;
            Ticket t = new Ticket(this, owner, ids, System.nanoTime());
            pending.addLast(t);
            pendingTokens += ids.length;
            if (pending.size() == 1
                    || pendingTokens >= settings.maxBatchTokens()
                    || pending.size() >= settings.maxBatchSequences()) changed.signal();
            return t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchedulerClosedException();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Submits several sequences for one caller; the future completes when all are done, results in
     * order (tests, tools).
     */
    public CompletableFuture<List<InferenceResult>> submit(List<int[]> sequences) {
        Object owner = new Object();
        List<CompletableFuture<InferenceResult>> futures = new ArrayList<>();
        for (int[] s : sequences) futures.add(submit(owner, s, 0).future());
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(v -> futures.stream().map(CompletableFuture::join).toList());
    }

    /**
     * Completes a ticket's future and gives its tokens back as one step under the lock, which
     * {@link #inflightTokens()} also takes: no reader sees a done future whose tokens still count,
     * nor a drained count whose results are not yet visible.
     */
    private void finish(Ticket t, Consumer<Ticket> complete) {
        lock.lock();
        try {
            complete.accept(t);
            t.release();
        } finally {
            lock.unlock();
        }
    }

    void released(int tokens) {
        lock.lock();
        try {
            inflightTokens -= tokens;
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- what health and metrics read ----

    /**
     * Tokens submitted and not yet computed or cancelled (queued, backing off, prepared or on the
     * device).
     */
    public long inflightTokens() {
        lock.lock();
        try {
            return inflightTokens;
        } finally {
            lock.unlock();
        }
    }

    /** Kept for the progress log and older callers: same as {@link #inflightTokens()}. */
    public int queuedTokens() {
        return (int) Math.min(Integer.MAX_VALUE, inflightTokens);
    }

    public long lastSuccessMillis() {
        return lastSuccessMillis;
    }

    /** When the current run of device errors began, or 0 when the last batch succeeded. */
    public long faultSinceMillis() {
        return faultSinceMillis;
    }

    public String lastFault() {
        return lastFault;
    }

    /** The fault that stopped the device thread, or null. */
    public Throwable stickyFault() {
        return stickyFault;
    }

    /** When the batch now on the device started, or 0. */
    public long runningSinceMillis() {
        return runningSinceMillis;
    }

    public long retries() {
        return retries.get();
    }

    public long overAdmitted() {
        return overAdmitted.get();
    }

    /** Both threads alive and no sticky fault. */
    public boolean isRunning() {
        return batcher.isAlive() && device.isAlive() && stickyFault == null;
    }

    /** True while a formed batch waits for the device (tests: two batches in flight). */
    boolean hasPrepared() {
        lock.lock();
        try {
            return prepared != null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * True when sequences wait or run (so a long time without a successful batch means a stall).
     */
    public boolean hasWork() {
        return inflightTokens > 0;
    }

    // ---- the batcher thread ----

    private void batcherLoop() {
        lock.lock();
        try {
            while (!closed) {
                if (prepared
                        != null) { // the device has not taken the last one yet: keep collecting
                    changed.await();
                    continue;
                }
                long now = System.nanoTime();
                long nextRetry = promoteDueRetries(now);
                dropCancelledHead();
                Ticket head = pending.peekFirst();
                long wait;
                if (head == null) {
                    wait =
                            nextRetry == Long.MAX_VALUE
                                    ? TimeUnit.SECONDS.toNanos(1)
                                    : nextRetry - now;
                } else {
                    long due =
                            head.notBeforeNanos
                                    + TimeUnit.MILLISECONDS.toNanos(settings.maxDelayMs());
                    if (pendingTokens >= settings.maxBatchTokens()
                            || pending.size() >= settings.maxBatchSequences()
                            || now >= due) {
                        List<Ticket> batch = select();
                        if (!batch.isEmpty()) {
                            prepared = batch;
                            preparedSet.signal();
                        }
                        continue;
                    }
                    wait = Math.min(due - now, nextRetry - now);
                }
                changed.awaitNanos(Math.max(1, wait));
            }
        } catch (InterruptedException e) {
            // closing
        } catch (Throwable t) {
            log.error("inference batcher failed", t);
            stickyFault = t;
            listener.stickyFault(t);
        } finally {
            lock.unlock();
        }
    }

    private void dropCancelledHead() {
        while (!pending.isEmpty() && pending.peekFirst().cancelled)
            pendingTokens -= pending.pollFirst().ids.length;
    }

    /**
     * Moves retries whose backoff is over to the front of the queue; returns when the next one is
     * due.
     */
    private long promoteDueRetries(long now) {
        long next = Long.MAX_VALUE;
        for (int i = backingOff.size() - 1; i >= 0; i--) {
            Ticket t = backingOff.get(i);
            if (t.cancelled) {
                backingOff.remove(i);
            } else if (t.notBeforeNanos <= now) {
                backingOff.remove(i);
                pending.addFirst(t);
                pendingTokens += t.ids.length;
            } else {
                next = Math.min(next, t.notBeforeNanos);
            }
        }
        return next;
    }

    /**
     * First fit in arrival order up to the budget, then longest first. Always takes the oldest
     * sequence.
     */
    private List<Ticket> select() {
        List<Ticket> batch = new ArrayList<>();
        int tokens = 0;
        int scanned = 0;
        int scanLimit = SCAN_FACTOR * settings.maxBatchSequences();
        for (Iterator<Ticket> it = pending.iterator();
                it.hasNext() && batch.size() < settings.maxBatchSequences() && scanned < scanLimit;
                scanned++) {
            Ticket t = it.next();
            int len = t.ids.length;
            if (t.cancelled) {
                it.remove();
                pendingTokens -= len;
                continue;
            }
            if (batch.isEmpty() || tokens + len <= settings.maxBatchTokens()) {
                it.remove();
                pendingTokens -= len;
                batch.add(t);
                tokens += len;
                if (tokens >= settings.maxBatchTokens()) break;
            }
        }
        batch.sort(Comparator.comparingInt((Ticket t) -> t.ids.length).reversed());
        return batch;
    }

    // ---- the device thread ----

    private void deviceLoop() {
        while (true) {
            List<Ticket> batch;
            lock.lock();
            try {
                while (prepared == null && !closed) preparedSet.await();
                if (prepared == null) return;
                batch = prepared;
                prepared = null;
                changed.signal();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            long wait = deviceNotBeforeNanos - System.nanoTime();
            while (wait > 0 && !closed) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
                wait = deviceNotBeforeNanos - System.nanoTime();
            }
            if (!run(batch)) return; // sticky fault: the device is gone
        }
    }

    /** Runs one batch; false after a sticky fault. */
    private boolean run(List<Ticket> batch) {
        List<Ticket> live = new ArrayList<>(batch.size());
        for (Ticket t : batch) if (!t.cancelled) live.add(t);
        if (live.isEmpty()) return true;
        List<int[]> ids = new ArrayList<>(live.size());
        int tokens = 0;
        IdentityHashMap<Object, Boolean> owners = new IdentityHashMap<>();
        for (Ticket t : live) {
            ids.add(t.ids);
            tokens += t.ids.length;
            owners.put(t.owner, Boolean.TRUE);
        }
        long startMillis = System.currentTimeMillis();
        runningSinceMillis = startMillis;
        long t0 = System.nanoTime();
        List<Prediction> predictions;
        try {
            predictions = encoder.encode(ids);
            if (predictions == null || predictions.size() != ids.size())
                throw new IllegalStateException(
                        "encoder returned "
                                + (predictions == null
                                        ? "null"
                                        : predictions.size() + " predictions")
                                + " for "
                                + ids.size()
                                + " sequences");
        } catch (Throwable e) {
            runningSinceMillis = 0;
            return failed(live, tokens, e);
        }
        runningSinceMillis = 0;
        DeviceBatch db =
                new DeviceBatch(
                        ids.size(),
                        tokens,
                        owners.size(),
                        startMillis,
                        (System.nanoTime() - t0) / 1e6,
                        settings.maxBatchTokens());
        lastSuccessMillis = System.currentTimeMillis();
        faultSinceMillis = 0;
        consecutiveFailures = 0;
        listener.batch(db);
        for (int i = 0; i < live.size(); i++) {
            InferenceResult r = new InferenceResult.Success(predictions.get(i), db);
            finish(live.get(i), t -> t.future.complete(r));
        }
        return true;
    }

    private boolean failed(List<Ticket> live, int tokens, Throwable e) {
        DeviceFault kind = DeviceFault.classify(e);
        switch (kind) {
            case INPUT, OUT_OF_MEMORY -> {
                if (live.size() == 1) {
                    Ticket t = live.get(0);
                    String what =
                            kind == DeviceFault.OUT_OF_MEMORY
                                    ? "does not fit the device even alone: "
                                    : e instanceof InputRejectedException
                                            ? "encoder rejected the input: "
                                            : "encoder failed on this input: ";
                    InferenceResult r =
                            new InferenceResult.Failure(
                                    "INFERENCE_FAILED",
                                    what + e.getClass().getSimpleName() + ": " + e.getMessage(),
                                    new DeviceBatch(1, tokens, 1, System.currentTimeMillis(), 0));
                    finish(t, done -> done.future.complete(r));
                    return true;
                }
                log.warn(
                        "device batch of {} sequences / {} tokens failed ({}: {}); splitting it",
                        live.size(),
                        tokens,
                        kind,
                        e.toString());
                int half = live.size() / 2;
                return run(live.subList(0, half)) && run(live.subList(half, live.size()));
            }
            case STICKY -> {
                log.error(
                        "sticky device fault on a batch of {} sequences: the device cannot go on; records stay buffered",
                        live.size(),
                        e);
                if (faultSinceMillis == 0) faultSinceMillis = System.currentTimeMillis();
                lastFault = e.toString();
                stickyFault = e;
                listener.stickyFault(e);
                return false;
            }
            default -> {
                if (faultSinceMillis == 0) faultSinceMillis = System.currentTimeMillis();
                lastFault = e.toString();
                retries.addAndGet(live.size());
                int attempt = ++consecutiveFailures;
                long now = System.nanoTime();
                // The device itself backs off too, so batches of newly arrived records do not
                // hammer it meanwhile.
                deviceNotBeforeNanos =
                        now + TimeUnit.MILLISECONDS.toNanos(settings.backoff(consecutiveFailures));
                lock.lock();
                try {
                    for (Ticket t : live) {
                        t.attempts++;
                        t.notBeforeNanos =
                                now
                                        + TimeUnit.MILLISECONDS.toNanos(
                                                settings.backoff(Math.max(t.attempts, attempt)));
                        backingOff.add(t);
                    }
                    changed.signal();
                } finally {
                    lock.unlock();
                }
                log.warn(
                        "device error on a batch of {} sequences (attempt {}), retrying in {} ms: {}",
                        live.size(),
                        attempt,
                        settings.backoff(attempt),
                        e.toString());
                listener.retry(live.size(), e);
                return true;
            }
        }
    }

    /**
     * Stops both threads (the batch on the device finishes first, up to 30 s) and fails what is
     * left with {@link SchedulerClosedException}; the records behind them stay in their buffer
     * stores for the next owner.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
            preparedSet.signalAll();
            room.signalAll();
        } finally {
            lock.unlock();
        }
        java.util.concurrent.locks.LockSupport.unpark(device); // out of a device backoff
        try {
            batcher.join(5000);
            device.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.lock();
        try {
            List<Ticket> left = new ArrayList<>(pending);
            left.addAll(backingOff);
            if (prepared != null) left.addAll(prepared);
            pending.clear();
            backingOff.clear();
            prepared = null;
            for (Ticket t : left)
                finish(
                        t,
                        done -> done.future.completeExceptionally(new SchedulerClosedException()));
        } finally {
            lock.unlock();
        }
    }
}
