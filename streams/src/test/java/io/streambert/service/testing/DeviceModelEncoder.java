package io.streambert.service.testing;

import io.streambert.engine.Prediction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A stand-in for a GPU in capacity tests: a launch of T tokens takes {@code launchMs + T /
 * tokensPerSecond} of wall time (the fixed cost of a launch plus throughput), during which it uses
 * no CPU. Tokenization and results are {@link TestEncoder}'s. It counts launches and tokens, so a
 * test can compute the fill of each launch and the throughput the device model allows.
 */
public class DeviceModelEncoder extends TestEncoder {
    private final double launchMs;
    private final double tokensPerSecond;
    public final AtomicLong launches = new AtomicLong();
    public final AtomicLong tokens = new AtomicLong();
    public final AtomicLong busyNanos = new AtomicLong();

    /**
     * @param tokensPerSecond 0 or less: no per-token cost
     */
    public DeviceModelEncoder(double launchMs, double tokensPerSecond) {
        super(512);
        this.launchMs = launchMs;
        this.tokensPerSecond = tokensPerSecond;
    }

    /** Wall time of one launch of {@code t} tokens, in seconds. */
    public double launchSeconds(long t) {
        return launchMs / 1000.0 + (tokensPerSecond > 0 ? t / tokensPerSecond : 0);
    }

    @Override
    public List<Prediction> encode(List<int[]> sequences) {
        long t = 0;
        for (int[] s : sequences) t += s.length;
        long nanos = (long) (launchSeconds(t) * 1e9);
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) LockSupport.parkNanos(end - System.nanoTime());
        launches.incrementAndGet();
        tokens.addAndGet(t);
        busyNanos.addAndGet(nanos);
        List<Prediction> out = new ArrayList<>(sequences.size());
        for (int[] s : sequences) out.add(predict(s));
        return out;
    }
}
