package io.streambert.service.schedule;

/**
 * One call of {@code Encoder.encode}: what went in and how long it took. Every result carries the
 * device batch it ran in, so outputs can report it (ModerationEvent.timings) and metrics can count
 * it.
 *
 * @param sequences sequences in the device batch (from one or more stream tasks)
 * @param tokens tokens in the device batch
 * @param callers how many distinct stream tasks contributed
 * @param startMillis wall-clock time the encode call started
 * @param inferenceMs wall time of the encode call
 * @param budgetTokens the token budget it was formed against (fill = tokens / budgetTokens)
 */
public record DeviceBatch(
        int sequences,
        int tokens,
        int callers,
        long startMillis,
        double inferenceMs,
        int budgetTokens) {
    /** A batch formed against no particular budget (tests, tools). */
    public DeviceBatch(
            int sequences, int tokens, int callers, long startMillis, double inferenceMs) {
        this(sequences, tokens, callers, startMillis, inferenceMs, Math.max(1, tokens));
    }

    public double fill() {
        return (double) tokens / budgetTokens;
    }
}
