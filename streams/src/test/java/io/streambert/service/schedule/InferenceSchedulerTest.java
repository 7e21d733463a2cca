package io.streambert.service.schedule;

import static org.junit.jupiter.api.Assertions.*;

import io.streambert.service.testing.TestEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InferenceSchedulerTest {

    private static List<int[]> seqs(int count, int len, int firstId) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int[] s = new int[len];
            s[0] = 1;
            for (int j = 1; j < len - 1; j++) s[j] = firstId + i;
            s[len - 1] = 2;
            out.add(s);
        }
        return out;
    }

    /** Blocks until the scheduler's first encode call is in progress (held at the gate). */
    private static void awaitCalls(TestEncoder enc, int n) throws InterruptedException {
        for (int i = 0; i < 3000 && enc.calls.size() < n; i++) Thread.sleep(10);
        assertTrue(enc.calls.size() >= n, "encoder never reached call " + n);
    }

    @Test
    void mergesMicroBatchesOfSeveralCallersWithinTheTokenBudget() throws Exception {
        TestEncoder enc = new TestEncoder();
        List<DeviceBatch> batches = new CopyOnWriteArrayList<>();
        try (InferenceScheduler s = new InferenceScheduler(enc, 40, 100, 10_000, batches::add)) {
            enc.hold();
            CompletableFuture<List<InferenceResult>> first = s.submit(seqs(1, 10, 100));
            awaitCalls(enc, 1); // the scheduler is now busy with the first request
            // Three callers queue 3 x 4 sequences of 10 tokens while the device is busy.
            CompletableFuture<List<InferenceResult>> a = s.submit(seqs(4, 10, 200));
            CompletableFuture<List<InferenceResult>> b = s.submit(seqs(4, 10, 300));
            CompletableFuture<List<InferenceResult>> c = s.submit(seqs(4, 10, 400));
            enc.open();
            first.get(10, TimeUnit.SECONDS);
            List<InferenceResult> ra = a.get(10, TimeUnit.SECONDS), rb = b.get(10, TimeUnit.SECONDS), rc = c.get(10, TimeUnit.SECONDS);

            // 12 queued sequences x 10 tokens with a 40-token budget: exactly 3 full device batches after the first.
            assertEquals(List.of(List.of(10), List.of(10, 10, 10, 10), List.of(10, 10, 10, 10), List.of(10, 10, 10, 10)), enc.calls);
            for (List<Integer> call : enc.calls) assertTrue(call.stream().mapToInt(Integer::intValue).sum() <= 40);
            // Results are each caller's own, in order: the embedding's 2nd component is the id sum mod 97.
            checkOwnResults(ra, seqs(4, 10, 200));
            checkOwnResults(rb, seqs(4, 10, 300));
            checkOwnResults(rc, seqs(4, 10, 400));
            assertEquals(4, batches.size());
            assertEquals(0, s.queuedTokens());
        }
    }

    @Test
    void manyStreamThreadsAtOnceEachGetTheirOwnResultsAndBatchesStayWithinBudget() throws Exception {
        TestEncoder enc = new TestEncoder();
        List<DeviceBatch> batches = new CopyOnWriteArrayList<>();
        int threads = 4, perThread = 25, budget = 64;
        try (InferenceScheduler s = new InferenceScheduler(enc, budget, 16, 400, batches::add)) {
            enc.hold();
            var first = s.submit(seqs(1, 3, 1));
            awaitCalls(enc, 1);
            List<Thread> workers = new ArrayList<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            java.util.concurrent.CountDownLatch eachSubmittedOnce = new java.util.concurrent.CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                int thread = t;
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        java.util.Random rnd = new java.util.Random(thread);
                        for (int i = 0; i < perThread; i++) {
                            List<int[]> in = seqs(1 + rnd.nextInt(4), 3 + rnd.nextInt(12), 1000 * thread + 10 * i);
                            var f = s.submit(in);
                            if (i == 0) eachSubmittedOnce.countDown();
                            checkOwnResults(f.get(30, TimeUnit.SECONDS), in);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            assertTrue(eachSubmittedOnce.await(30, TimeUnit.SECONDS));
            enc.open(); // all four callers have a micro-batch queued: the next device batch merges them
            first.get(30, TimeUnit.SECONDS);
            for (Thread w : workers) w.join(60_000);
            assertEquals(List.of(), failures);
            for (DeviceBatch b : batches)
                assertTrue(b.tokens() <= budget && b.sequences() <= 16, "device batch over budget: " + b);
            assertTrue(batches.stream().anyMatch(b -> b.callers() >= 2), "micro-batches of different threads were merged");
            int sequences = batches.stream().mapToInt(DeviceBatch::sequences).sum();
            assertEquals(sequences, enc.calls.stream().mapToInt(List::size).sum());
        }
    }

    @Test
    void oneDeviceBatchHoldsSeveralCallersWhenTheyFit() throws Exception {
        TestEncoder enc = new TestEncoder();
        List<DeviceBatch> batches = new CopyOnWriteArrayList<>();
        try (InferenceScheduler s = new InferenceScheduler(enc, 100, 100, 10_000, batches::add)) {
            enc.hold();
            CompletableFuture<List<InferenceResult>> first = s.submit(seqs(1, 5, 100));
            awaitCalls(enc, 1);
            var a = s.submit(seqs(2, 6, 200));
            var b = s.submit(seqs(3, 7, 300));
            enc.open();
            first.get(10, TimeUnit.SECONDS);
            checkOwnResults(a.get(10, TimeUnit.SECONDS), seqs(2, 6, 200));
            checkOwnResults(b.get(10, TimeUnit.SECONDS), seqs(3, 7, 300));
            assertEquals(List.of(6, 6, 7, 7, 7), enc.calls.get(1));
            DeviceBatch merged = batches.get(1);
            assertEquals(2, merged.callers());
            assertEquals(33, merged.tokens());
            assertEquals(5, merged.sequences());
            InferenceResult.Success r = (InferenceResult.Success) b.get().get(0);
            assertSame(merged, r.batch());
        }
    }

    @Test
    void respectsTheSequenceLimitAndRunsAnOverlongSequenceAlone() throws Exception {
        TestEncoder enc = new TestEncoder();
        try (InferenceScheduler s = new InferenceScheduler(enc, 20, 2, 10_000, null)) {
            List<int[]> in = new ArrayList<>(seqs(3, 4, 100));
            in.add(seqs(1, 50, 7).get(0)); // longer than the whole token budget
            in.addAll(seqs(1, 4, 9));
            List<InferenceResult> out = s.submit(in).get(10, TimeUnit.SECONDS);
            assertEquals(5, out.size());
            assertEquals(List.of(List.of(4, 4), List.of(4), List.of(50), List.of(4)), enc.calls);
        }
    }

    @Test
    void aRejectedInputFailsAloneAndTheRestOfItsBatchSucceeds() throws Exception {
        TestEncoder enc = new TestEncoder();
        try (InferenceScheduler s = new InferenceScheduler(enc, 1000, 100, 10_000, null)) {
            List<int[]> in = new ArrayList<>(seqs(3, 4, 100));
            in.set(1, new int[] {1, TestEncoder.POISON_ID, 2});
            List<InferenceResult> out = s.submit(in).get(10, TimeUnit.SECONDS);
            assertInstanceOf(InferenceResult.Success.class, out.get(0));
            InferenceResult.Failure f = assertInstanceOf(InferenceResult.Failure.class, out.get(1));
            assertEquals("INFERENCE_FAILED", f.errorClass());
            assertTrue(f.message().contains("poison"), f.message());
            assertInstanceOf(InferenceResult.Success.class, out.get(2));
        }
    }

    @Test
    void aDeviceFailureFailsTheCallersInsteadOfDeadLetteringTheirRecords() throws Exception {
        io.streambert.engine.Encoder broken = new TestEncoder() {
            @Override
            public List<io.streambert.engine.Prediction> encode(List<int[]> sequences) {
                throw new io.streambert.engine.DeviceException("CUDA error: an illegal memory access was encountered");
            }
        };
        try (InferenceScheduler s = new InferenceScheduler(broken, 1000, 100, 100, null)) {
            var f = s.submit(seqs(3, 10, 100));
            var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertInstanceOf(io.streambert.engine.DeviceException.class, e.getCause());
            assertEquals(0, s.queuedTokens(), "a failed request gives its queue room back");
            assertTrue(s.isRunning(), "the scheduler keeps serving (the device may recover)");
        }
    }

    @Test
    void aFullQueueBlocksTheCallerUntilTheDeviceCatchesUp() throws Exception {
        TestEncoder enc = new TestEncoder();
        try (InferenceScheduler s = new InferenceScheduler(enc, 1000, 100, 30, null)) {
            enc.hold();
            var first = s.submit(seqs(2, 10, 100));        // 20 of 30 tokens, now on the device
            awaitCalls(enc, 1);
            var second = s.submit(seqs(1, 10, 200));       // 30 of 30: fits
            assertEquals(30, s.queuedTokens());
            CompletableFuture<CompletableFuture<List<InferenceResult>>> third = new CompletableFuture<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    third.complete(s.submit(seqs(1, 10, 300))); // no room: must block
                } catch (Throwable t) {
                    third.completeExceptionally(t);
                }
            });
            // Wait until the caller is parked inside submit, then check it has not returned.
            for (int i = 0; i < 3000 && caller.getState() != Thread.State.WAITING; i++) Thread.sleep(5);
            assertEquals(Thread.State.WAITING, caller.getState(), "submit should block while the queue is full");
            assertFalse(third.isDone());
            enc.open();
            first.get(10, TimeUnit.SECONDS);
            second.get(10, TimeUnit.SECONDS);
            checkOwnResults(third.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS), seqs(1, 10, 300));
            caller.join();
        }
    }

    @Test
    void closeFinishesQueuedWorkAndRefusesNewWork() throws Exception {
        TestEncoder enc = new TestEncoder();
        InferenceScheduler s = new InferenceScheduler(enc, 1000, 100, 10_000, null);
        enc.hold();
        var first = s.submit(seqs(1, 5, 100));
        awaitCalls(enc, 1);
        var queued = s.submit(seqs(2, 5, 200));
        Thread closer = Thread.ofPlatform().start(s::close);
        for (int i = 0; i < 3000 && closer.getState() != Thread.State.WAITING; i++) Thread.sleep(5);
        assertThrows(SchedulerClosedException.class, () -> s.submit(seqs(1, 5, 300)));
        enc.open();
        closer.join(10_000);
        assertFalse(closer.isAlive());
        assertTrue(first.isDone() && !first.isCompletedExceptionally());
        checkOwnResults(queued.get(), seqs(2, 5, 200));
        assertFalse(s.isRunning());
    }

    private static void checkOwnResults(List<InferenceResult> results, List<int[]> inputs) {
        assertEquals(inputs.size(), results.size());
        for (int i = 0; i < inputs.size(); i++) {
            InferenceResult.Success ok = assertInstanceOf(InferenceResult.Success.class, results.get(i));
            long sum = 0;
            for (int id : inputs.get(i)) sum += id;
            float[] e = ok.prediction().embedding();
            // Embedding of the test encoder is (len, sum % 97, flag, 1) normalised: compare ratios, not code output.
            assertEquals(inputs.get(i).length / (double) (sum % 97), e[0] / (double) e[1], 1e-4);
            assertEquals(inputs.get(i).length, ok.prediction().tokens());
        }
    }
}
