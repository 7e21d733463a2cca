package io.streambert.service.schedule;

import static org.junit.jupiter.api.Assertions.*;

import io.streambert.engine.DeviceException;
import io.streambert.engine.Prediction;
import io.streambert.service.testing.TestEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InferenceSchedulerTest {

    private static List<int[]> seqs(int count, int len, int firstId) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(seq(len, firstId + i));
        return out;
    }

    private static int[] seq(int len, int id) {
        int[] s = new int[len];
        s[0] = 1;
        for (int j = 1; j < len - 1; j++) s[j] = id;
        s[len - 1] = 2;
        return s;
    }

    private static SchedulerSettings settings(
            int budget, int sequences, long delayMs, int inflight) {
        return new SchedulerSettings(budget, sequences, delayMs, inflight, 20, 100);
    }

    private static void awaitCalls(TestEncoder enc, int n) throws InterruptedException {
        for (int i = 0; i < 3000 && enc.calls.size() < n; i++) Thread.sleep(5);
        assertTrue(enc.calls.size() >= n, "encoder never reached call " + n);
    }

    private static void awaitPrepared(InferenceScheduler s) throws InterruptedException {
        for (int i = 0; i < 3000 && !s.hasPrepared(); i++) Thread.sleep(5);
        assertTrue(s.hasPrepared(), "the next batch was never formed while the device was busy");
    }

    private static SchedulerListener collect(List<DeviceBatch> batches) {
        return new SchedulerListener() {
            @Override
            public void batch(DeviceBatch b) {
                batches.add(b);
            }
        };
    }

    @Test
    void sequencesOfSeveralTasksAreMergedUpToTheTokenBudget() throws Exception {
        TestEncoder enc = new TestEncoder();
        List<DeviceBatch> batches = new CopyOnWriteArrayList<>();
        // A long delay: only a full budget starts a batch.
        try (InferenceScheduler s =
                new InferenceScheduler(enc, settings(40, 100, 60_000, 10_000), collect(batches))) {
            Object[] tasks = {new Object(), new Object(), new Object(), new Object()};
            List<Ticket> tickets = new ArrayList<>();
            List<int[]> inputs = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int[] ids = seq(10, 100 + i);
                inputs.add(ids);
                tickets.add(s.submit(tasks[i % 4], ids, 0));
            }
            for (int i = 0; i < 16; i++)
                checkOwnResult(tickets.get(i).future().get(10, TimeUnit.SECONDS), inputs.get(i));
            assertEquals(
                    List.of(
                            List.of(10, 10, 10, 10),
                            List.of(10, 10, 10, 10),
                            List.of(10, 10, 10, 10),
                            List.of(10, 10, 10, 10)),
                    enc.calls);
            for (DeviceBatch b : batches) {
                assertEquals(40, b.tokens());
                assertEquals(1.0, b.fill(), 1e-9);
                assertEquals(4, b.callers(), "one sequence from each of the four tasks");
            }
            assertEquals(0, s.inflightTokens());
        }
    }

    @Test
    void aPartialBatchStartsOnceTheOldestHasWaitedMaxDelay() throws Exception {
        TestEncoder enc = new TestEncoder();
        try (InferenceScheduler s =
                new InferenceScheduler(enc, settings(1000, 100, 150, 10_000), null)) {
            long t0 = System.nanoTime();
            Ticket t = s.submit(new Object(), seq(5, 7), 0);
            checkOwnResult(t.future().get(10, TimeUnit.SECONDS), seq(5, 7));
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(
                    waitedMs >= 140,
                    "started after " + waitedMs + " ms, before the 150 ms deadline");
            assertEquals(List.of(List.of(5)), enc.calls);
        }
    }

    @Test
    void theNextBatchIsFormedWhileTheDeviceRunsAndPackedFirstFitLongestFirst() throws Exception {
        TestEncoder enc = new TestEncoder();
        try (InferenceScheduler s =
                new InferenceScheduler(enc, settings(20, 100, 30, 10_000), null)) {
            enc.hold();
            Ticket x1 = s.submit("a", seq(3, 5), 0);
            awaitCalls(enc, 1); // x1 is on the device (held)
            Ticket x2 = s.submit("a", seq(4, 6), 0);
            awaitPrepared(s); // x2 is formed and waits for the device: two batches in flight
            List<Ticket> rest = new ArrayList<>();
            for (int len : new int[] {12, 12, 5, 3}) rest.add(s.submit("b", seq(len, 50 + len), 0));
            enc.open();
            for (Ticket t : List.of(x1, x2))
                assertInstanceOf(
                        InferenceResult.Success.class, t.future().get(10, TimeUnit.SECONDS));
            for (Ticket t : rest)
                assertInstanceOf(
                        InferenceResult.Success.class, t.future().get(10, TimeUnit.SECONDS));
            // 12 fits; the second 12 does not (24 > 20) and waits; 5 and 3 fill the budget exactly;
            // longest first.
            assertEquals(
                    List.of(List.of(3), List.of(4), List.of(12, 5, 3), List.of(12)), enc.calls);
        }
    }

    @Test
    void theSequenceLimitHoldsAndAnOverlongSequenceRunsAlone() throws Exception {
        TestEncoder enc = new TestEncoder();
        try (InferenceScheduler s =
                new InferenceScheduler(enc, settings(20, 2, 50, 10_000), null)) {
            List<int[]> in = new ArrayList<>(seqs(3, 4, 100));
            in.add(seq(50, 7)); // longer than the whole token budget
            in.addAll(seqs(1, 4, 9));
            List<InferenceResult> out = s.submit(in).get(10, TimeUnit.SECONDS);
            assertEquals(5, out.size());
            for (int i = 0; i < 5; i++) checkOwnResult(out.get(i), in.get(i));
            for (List<Integer> call : enc.calls) {
                assertTrue(call.size() <= 2, "sequence limit: " + enc.calls);
                if (call.contains(50))
                    assertEquals(List.of(50), call, "the overlong sequence runs alone");
                else
                    assertTrue(
                            call.stream().mapToInt(Integer::intValue).sum() <= 20,
                            "token budget: " + enc.calls);
            }
        }
    }

    @Test
    void aRejectedInputFailsAloneAndTheRestOfItsBatchSucceeds() throws Exception {
        TestEncoder enc = new TestEncoder();
        try (InferenceScheduler s =
                new InferenceScheduler(enc, settings(1000, 100, 50, 10_000), null)) {
            List<int[]> in = new ArrayList<>(seqs(5, 4, 100));
            in.set(3, new int[] {1, TestEncoder.POISON_ID, 2});
            List<InferenceResult> out = s.submit(in).get(10, TimeUnit.SECONDS);
            for (int i : new int[] {0, 1, 2, 4}) checkOwnResult(out.get(i), in.get(i));
            InferenceResult.Failure f = assertInstanceOf(InferenceResult.Failure.class, out.get(3));
            assertEquals("INFERENCE_FAILED", f.errorClass());
            assertTrue(f.message().contains("poison"), f.message());
            assertEquals(0, s.retries(), "an input error is not a device error");
        }
    }

    @Test
    void aDeviceErrorIsRetriedWithBackoffUntilTheDeviceRecovers() throws Exception {
        AtomicInteger failuresLeft = new AtomicInteger(3);
        TestEncoder enc =
                new TestEncoder() {
                    @Override
                    public List<Prediction> encode(List<int[]> sequences) {
                        if (failuresLeft.getAndDecrement() > 0)
                            throw new DeviceException("cuda:0: cuLaunchKernel: device busy (test)");
                        return super.encode(sequences);
                    }
                };
        AtomicInteger retried = new AtomicInteger();
        SchedulerListener l =
                new SchedulerListener() {
                    @Override
                    public void retry(int sequences, Throwable cause) {
                        retried.addAndGet(sequences);
                    }
                };
        // A 50 ms delay puts both sequences in one batch; the device and the batch back off 40, 80,
        // 160 ms.
        try (InferenceScheduler s =
                new InferenceScheduler(
                        enc, new SchedulerSettings(1000, 100, 50, 10_000, 40, 1000), l)) {
            long t0 = System.nanoTime();
            List<int[]> in = seqs(2, 6, 10);
            List<InferenceResult> out = s.submit(in).get(10, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            for (int i = 0; i < 2; i++) checkOwnResult(out.get(i), in.get(i));
            assertEquals(6, retried.get(), "two sequences put back three times");
            assertEquals(6, s.retries());
            assertTrue(
                    ms >= 40 + 80 + 160 - 20, "exponential backoff 40 + 80 + 160 ms, took " + ms);
            assertEquals(0, s.faultSinceMillis(), "the fault is over once a batch succeeds");
            assertTrue(s.isRunning());
        }
    }

    @Test
    void outOfMemorySplitsTheBatchAndASequenceThatNeverFitsIsDeadLettered() throws Exception {
        TestEncoder enc =
                new TestEncoder() {
                    @Override
                    public List<Prediction> encode(List<int[]> sequences) {
                        int tokens = sequences.stream().mapToInt(a -> a.length).sum();
                        if (tokens > 20)
                            throw new DeviceException(
                                    "cuMemAlloc("
                                            + tokens * 1000
                                            + " bytes) on cuda:0: CUDA_ERROR_OUT_OF_MEMORY");
                        return super.encode(sequences);
                    }
                };
        try (InferenceScheduler s =
                new InferenceScheduler(enc, settings(1000, 100, 50, 10_000), null)) {
            List<int[]> in = new ArrayList<>(seqs(4, 10, 100));
            in.add(seq(30, 9));
            List<InferenceResult> out = s.submit(in).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 4; i++) checkOwnResult(out.get(i), in.get(i));
            InferenceResult.Failure f = assertInstanceOf(InferenceResult.Failure.class, out.get(4));
            assertTrue(f.message().contains("does not fit the device even alone"), f.message());
            assertEquals(0, s.retries());
            assertTrue(s.isRunning());
        }
    }

    @Test
    void aStickyFaultStopsTheDeviceThreadKeepsTheWorkAndIsReported() throws Exception {
        TestEncoder enc =
                new TestEncoder() {
                    @Override
                    public List<Prediction> encode(List<int[]> sequences) {
                        throw new DeviceException(
                                "cuda:0: cuCtxSynchronize: CUDA_ERROR_ILLEGAL_ADDRESS");
                    }
                };
        AtomicReference<Throwable> reported = new AtomicReference<>();
        SchedulerListener l =
                new SchedulerListener() {
                    @Override
                    public void stickyFault(Throwable cause) {
                        reported.set(cause);
                    }
                };
        try (InferenceScheduler s =
                new InferenceScheduler(enc, settings(1000, 100, 0, 10_000), l)) {
            Ticket t = s.submit("task", seq(5, 3), 0);
            for (int i = 0; i < 2000 && reported.get() == null; i++) Thread.sleep(5);
            assertNotNull(reported.get());
            assertFalse(s.isRunning());
            assertNotNull(s.stickyFault());
            assertFalse(
                    t.isDone(),
                    "nothing is dead-lettered for a broken device: the record stays buffered");
        }
    }

    @Test
    void admissionWaitsAtMostMaxWaitForRoomAndRoomComesBackAsTheDeviceComputes() throws Exception {
        TestEncoder enc = new TestEncoder();
        try (InferenceScheduler s = new InferenceScheduler(enc, settings(1000, 100, 0, 30), null)) {
            enc.hold();
            Ticket a = s.submit("t", seq(20, 1), 1000); // on the device (held)
            awaitCalls(enc, 1);
            Ticket b = s.submit("t", seq(10, 2), 1000); // 30 of 30: fits at once
            assertEquals(30, s.inflightTokens());
            long t0 = System.nanoTime();
            Ticket c =
                    s.submit(
                            "t", seq(10, 3), 200); // no room: waits 200 ms, then is admitted anyway
            long waited = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(waited >= 190 && waited < 5000, "waited " + waited + " ms");
            assertEquals(1, s.overAdmitted());
            CompletableFuture<Long> d =
                    CompletableFuture.supplyAsync(
                            () -> {
                                long t1 = System.nanoTime();
                                s.submit("t", seq(10, 4), 20_000);
                                return (System.nanoTime() - t1) / 1_000_000;
                            });
            Thread.sleep(100);
            assertFalse(d.isDone(), "still no room");
            enc.open();
            assertTrue(d.get(10, TimeUnit.SECONDS) < 10_000, "admitted once the device computed");
            for (Ticket t : List.of(a, b, c))
                assertInstanceOf(
                        InferenceResult.Success.class, t.future().get(10, TimeUnit.SECONDS));
            assertEquals(1, s.overAdmitted());
        }
    }

    @Test
    void aCancelledSequenceIsNotRunAndGivesItsRoomBack() throws Exception {
        TestEncoder enc = new TestEncoder();
        try (InferenceScheduler s =
                new InferenceScheduler(enc, settings(1000, 100, 100, 10_000), null)) {
            Ticket keep = s.submit("a", seq(5, 1), 0);
            Ticket drop = s.submit("b", seq(7, 2), 0);
            drop.cancel();
            assertEquals(5, s.inflightTokens());
            checkOwnResult(keep.future().get(10, TimeUnit.SECONDS), seq(5, 1));
            assertEquals(List.of(List.of(5)), enc.calls);
            assertEquals(0, s.inflightTokens());
        }
    }

    @Test
    void closeLetsTheRunningBatchFinishFailsTheRestAndRefusesNewWork() throws Exception {
        TestEncoder enc = new TestEncoder();
        InferenceScheduler s = new InferenceScheduler(enc, settings(1000, 100, 0, 10_000), null);
        enc.hold();
        Ticket running = s.submit("a", seq(5, 1), 0);
        awaitCalls(enc, 1);
        Ticket queued = s.submit("a", seq(6, 2), 0);
        Thread closer = Thread.ofPlatform().start(s::close);
        for (int i = 0; i < 3000 && closer.getState() != Thread.State.TIMED_WAITING; i++)
            Thread.sleep(5);
        assertThrows(SchedulerClosedException.class, () -> s.submit("a", seq(5, 3), 0));
        enc.open();
        closer.join(10_000);
        assertFalse(closer.isAlive());
        checkOwnResult(running.future().get(), seq(5, 1));
        assertTrue(
                queued.future().isCompletedExceptionally() || queued.isDone(),
                "what is left is failed, not left hanging");
        assertEquals(0, s.inflightTokens());
        assertFalse(s.isRunning());
    }

    private static void checkOwnResult(InferenceResult result, int[] input) {
        InferenceResult.Success ok = assertInstanceOf(InferenceResult.Success.class, result);
        long sum = 0;
        for (int id : input) sum += id;
        float[] e = ok.prediction().embedding();
        // Embedding of the test encoder is (len, sum % 97, flag, 1) normalised: compare ratios, not
        // code output.
        assertEquals(input.length / (double) (sum % 97), e[0] / (double) e[1], 1e-4);
        assertEquals(input.length, ok.prediction().tokens());
    }
}
