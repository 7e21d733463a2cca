package io.streambert.service.batch;

import io.streambert.service.validate.ValidatedText;

/**
 * A validated record in the buffer store (the in-flight log): from the transaction that read it
 * until the transaction that forwards its outputs.
 *
 * @param seq arrival sequence number within the task: the store key, so the buffer iterates in
 *     arrival order
 * @param arrivalMs wall clock when it was buffered (oldest-buffered-age and queueing time count
 *     from here)
 * @param revision the tokenizer and model revision its token ids were made with ({@link
 *     ModelRevision}); after an upgrade a record with another revision is re-tokenized from its
 *     kept value before inference
 */
public record BufferedRecord(long seq, long arrivalMs, String revision, ValidatedText text) {
    public int tokens() {
        return text.tokenIds().length;
    }

    public BufferedRecord withTokenIds(int[] ids, String newRevision) {
        return new BufferedRecord(seq, arrivalMs, newRevision, text.withTokenIds(ids));
    }
}
