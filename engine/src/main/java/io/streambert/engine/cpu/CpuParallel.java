package io.streambert.engine.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The CPU kernels' worker threads: one small fixed pool, sized to all cores unless told otherwise
 * ({@link #setThreads}, or the system property {@code streambert.cpu.threads}).
 *
 * <p>Work is a range of independent task indices; each worker grabs the next index from a shared
 * counter, so a core slowed down by another process simply takes fewer tasks (this machine is
 * shared).
 */
public final class CpuParallel {
    private CpuParallel() {}

    private static volatile int threads = initialThreads();
    private static volatile ForkJoinPool pool;

    /**
     * Most worker threads accepted: far above any core count, far below ForkJoinPool's own limit of
     * 32767.
     */
    public static final int MAX_THREADS = io.streambert.engine.EncoderOptions.MAX_THREADS;

    private static int initialThreads() {
        String p = System.getProperty("streambert.cpu.threads");
        int n;
        try {
            n = p == null ? 0 : Integer.parseInt(p.trim());
        } catch (NumberFormatException e) {
            n = 0; // a bad property must not fail class initialisation; setThreads validates
            // explicit requests
        }
        return n > 0 && n <= MAX_THREADS ? n : Runtime.getRuntime().availableProcessors();
    }

    /**
     * Checks a requested thread count: 0 (all cores) or 1..{@value #MAX_THREADS}; {@code what}
     * names the setting.
     */
    public static int checkThreads(int n, String what) {
        return io.streambert.engine.EncoderOptions.checkThreads(n, what);
    }

    /**
     * Threads the kernels use; 0 means all cores (at most {@value #MAX_THREADS}). Takes effect for
     * the next kernel call.
     */
    public static synchronized void setThreads(int n) {
        checkThreads(n, "CPU threads");
        int want = n > 0 ? n : Runtime.getRuntime().availableProcessors();
        if (want != threads) {
            threads = want;
            ForkJoinPool old = pool;
            pool = null;
            if (old != null) old.shutdown();
        }
    }

    public static int threads() {
        return threads;
    }

    private static ForkJoinPool pool() {
        ForkJoinPool p = pool;
        if (p == null) {
            synchronized (CpuParallel.class) {
                p = pool;
                if (p == null) {
                    // Daemon workers (the ForkJoinPool default) so an idle pool never keeps the JVM
                    // alive.
                    p = new ForkJoinPool(threads);
                    pool = p;
                }
            }
        }
        return p;
    }

    /** Runs body(0) .. body(tasks - 1), spread over the workers; returns when all are done. */
    public static void forEach(int tasks, IntConsumer body) {
        int workers = Math.min(threads, tasks);
        if (workers <= 1) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        List<RecursiveAction> parts = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            parts.add(
                    new RecursiveAction() {
                        @Override
                        protected void compute() {
                            for (int t; (t = next.getAndIncrement()) < tasks; ) body.accept(t);
                        }
                    });
        }
        if (ForkJoinTask.inForkJoinPool()) {
            ForkJoinTask.invokeAll(parts); // already a worker (nested call): join by helping
        } else {
            pool().invoke(
                            new RecursiveAction() {
                                @Override
                                protected void compute() {
                                    invokeAll(parts);
                                }
                            });
        }
    }
}
