package io.streambert.service.schedule;

/**
 * What the scheduler reports as it works (metrics, health, the service's reaction to a sticky
 * fault).
 */
public interface SchedulerListener {
    /** A device batch succeeded (also called for the parts of a split batch). */
    default void batch(DeviceBatch batch) {}

    /** A device error: {@code sequences} go back to the queue and are retried after a backoff. */
    default void retry(int sequences, Throwable cause) {}

    /**
     * The device cannot go on ({@link DeviceFault#STICKY}); the scheduler has stopped running
     * batches.
     */
    default void stickyFault(Throwable cause) {}
}
