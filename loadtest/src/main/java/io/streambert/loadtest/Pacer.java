package io.streambert.loadtest;

/**
 * Open-loop pacing at a fixed rate: event i is due at {@code i / rate} seconds after the start, no
 * matter how long earlier sends took. (A closed loop that sleeps 1/rate after each send would slow
 * down exactly when the system is slow and hide the latency the test is meant to measure.)
 */
final class Pacer {
    private final double eventsPerSecond;

    Pacer(double eventsPerSecond) {
        if (!(eventsPerSecond > 0) || Double.isInfinite(eventsPerSecond)) {
            throw new IllegalArgumentException(
                    "rate must be a positive number of events per second, got " + eventsPerSecond);
        }
        this.eventsPerSecond = eventsPerSecond;
    }

    /** Nanoseconds after the start at which event {@code index} (0-based) is due. */
    long dueNanos(long index) {
        return Math.round(index * 1e9 / eventsPerSecond);
    }

    /**
     * How long to wait before sending event {@code index}, given the nanoseconds elapsed since the
     * start.
     */
    long waitNanos(long index, long elapsedNanos) {
        return Math.max(0, dueNanos(index) - elapsedNanos);
    }
}
