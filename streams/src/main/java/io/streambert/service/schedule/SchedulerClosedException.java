package io.streambert.service.schedule;

/**
 * Thrown by submit once shutdown began: the caller's records stay buffered and are processed after
 * restart.
 */
public class SchedulerClosedException extends IllegalStateException {
    public SchedulerClosedException() {
        super("the inference scheduler is shutting down and takes no new batches");
    }
}
