package io.streambert.service.batch;

import io.streambert.service.validate.ValidatedText;

/**
 * A validated record waiting in the micro-batch buffer.
 *
 * @param seq       arrival sequence number within the task: the store key, so the buffer iterates in arrival order
 * @param arrivalMs stream-time clock ({@code currentSystemTimeMs}) when it was buffered: max-wait counts from here
 */
public record BufferedRecord(long seq, long arrivalMs, ValidatedText text) {
    public int tokens() { return text.tokenIds().length; }
}
