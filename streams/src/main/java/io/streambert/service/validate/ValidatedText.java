package io.streambert.service.validate;

import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A text event that passed validation, with everything later steps need and nothing more: the
 * original bytes (for a dead letter should inference fail, and to re-tokenize after an upgrade),
 * where it came from, the fields the outputs echo, the text's hash, its token ids and the input
 * headers every output carries (already filtered by the {@link HeaderPolicy}).
 *
 * @param timestamp the input record's timestamp; outputs keep it
 * @param headers the input record's headers to copy to every output (never null; read-only)
 */
public record ValidatedText(
        byte[] key,
        byte[] value,
        String topic,
        int partition,
        long offset,
        long timestamp,
        String id,
        String tenant,
        Instant eventTime,
        Map<String, String> attributes,
        String textSha256,
        int[] tokenIds,
        Headers headers) {

    public ValidatedText {
        RecordHeaders copy =
                headers == null ? new RecordHeaders() : new RecordHeaders(headers.toArray());
        copy.setReadOnly();
        headers = copy;
    }

    /** The same record with other token ids (re-tokenized after an upgrade). */
    public ValidatedText withTokenIds(int[] ids) {
        return new ValidatedText(
                key,
                value,
                topic,
                partition,
                offset,
                timestamp,
                id,
                tenant,
                eventTime,
                attributes,
                textSha256,
                ids,
                headers);
    }
}
