package io.streambert.service.ops;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The arrival time of the oldest record in each task's buffer store, for this process: {@code
 * /health} fails when the oldest waits longer than its limit, and a gauge reports it. Tasks update
 * it as records come and go.
 */
public final class BufferAges {
    private final Map<Object, Long> oldest = new ConcurrentHashMap<>();

    public void set(Object task, long arrivalMs) {
        if (arrivalMs == Long.MAX_VALUE) oldest.remove(task);
        else oldest.put(task, arrivalMs);
    }

    public void remove(Object task) {
        oldest.remove(task);
    }

    /** Age of the oldest buffered record at {@code nowMs}, or 0 when every buffer is empty. */
    public long oldestAgeMs(long nowMs) {
        long min = Long.MAX_VALUE;
        for (long a : oldest.values()) min = Math.min(min, a);
        return min == Long.MAX_VALUE ? 0 : Math.max(0, nowMs - min);
    }
}
