package io.streambert.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CpuParallelTest {

    @AfterEach
    void allCores() {
        CpuParallel.setThreads(0);
    }

    @Test
    void everyTaskRunsExactlyOnceForAnyThreadCount() {
        for (int threads : new int[] {1, 2, 3, 8}) {
            CpuParallel.setThreads(threads);
            assertEquals(threads, CpuParallel.threads());
            for (int tasks : new int[] {0, 1, 2, 7, 100}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(tasks);
                CpuParallel.forEach(tasks, seen::incrementAndGet);
                for (int t = 0; t < tasks; t++)
                    assertEquals(
                            1,
                            seen.get(t),
                            "threads " + threads + " tasks " + tasks + " task " + t);
            }
        }
    }

    @Test
    void nestedCallsFromAWorkerComplete() {
        CpuParallel.setThreads(2);
        AtomicIntegerArray seen = new AtomicIntegerArray(16);
        CpuParallel.forEach(
                4,
                outer -> CpuParallel.forEach(4, inner -> seen.incrementAndGet(outer * 4 + inner)));
        for (int i = 0; i < 16; i++) assertEquals(1, seen.get(i));
    }

    @Test
    void zeroMeansAllCores() {
        CpuParallel.setThreads(0);
        assertEquals(Runtime.getRuntime().availableProcessors(), CpuParallel.threads());
    }
}
