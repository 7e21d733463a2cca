package io.streambert.service.schedule;

/**
 * One call of {@code Encoder.encode}: what went in and how long it took. Every result carries the
 * device batch it ran in, so outputs can report it (ModerationEvent.timings) and metrics can count it.
 *
 * @param sequences   sequences in the device batch (from one or more callers)
 * @param tokens      tokens in the device batch
 * @param callers     how many distinct submitted micro-batches contributed
 * @param startMillis wall-clock time the encode call started
 * @param inferenceMs wall time of the encode call
 */
public record DeviceBatch(int sequences, int tokens, int callers, long startMillis, double inferenceMs) {}
