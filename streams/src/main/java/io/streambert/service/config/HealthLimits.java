package io.streambert.service.config;

/**
 * When {@code /health} (liveness) fails, so that an orchestrator restarts an instance that is alive
 * but not doing its work.
 *
 * @param deviceStallMs records are waiting (or a batch is running) and no device batch succeeded
 *     for this long
 * @param threadReplacements stream threads replaced after a failure, over the life of the process
 * @param bufferedAgeMs the oldest record in any buffer store of this process has waited this long
 */
public record HealthLimits(long deviceStallMs, int threadReplacements, long bufferedAgeMs) {}
