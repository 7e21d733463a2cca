package io.streambert.engine;

import java.util.List;

/**
 * The one narrow interface the service sees: text in, predictions out.
 *
 * <p>A batch is a list of token-id sequences; implementations pack them (no padding, cu_seqlens)
 * and must return, for every sequence, exactly what {@code encode(List.of(thatSequence))} would
 * return (batch invariance, within 1e-5 on the CPU path). Implementations are thread-safe for
 * {@link #tokenize} and may serialise {@link #encode} internally; the service calls {@code encode}
 * from one scheduler thread.
 */
public interface Encoder extends AutoCloseable {

    /** What was loaded and how it runs: labels, dimensions, token limit, device. */
    ModelInfo info();

    /**
     * Token ids of {@code text} including [CLS] and [SEP], truncated to {@link
     * ModelInfo#maxTokens()} under the {@code truncate} policy.
     *
     * @throws InputRejectedException when the policy is {@code reject} and the text is too long
     */
    int[] tokenize(String text);

    /**
     * Runs the model on a batch of sequences (ids as from {@link #tokenize}); one prediction per
     * sequence, in order.
     *
     * @throws InputRejectedException when a sequence is empty, too long, or holds an id outside the
     *     vocabulary
     */
    List<Prediction> encode(List<int[]> sequences);

    @Override
    default void close() {}
}
