package io.streambert.service.validate;

import java.time.Instant;
import java.util.Map;

/**
 * A text event that passed validation, with everything later steps need and nothing more: the
 * original bytes (for a dead letter should inference fail), where it came from, the fields the
 * outputs echo, the text's hash (the text itself is not kept) and its token ids.
 *
 * @param timestamp the input record's timestamp; outputs keep it
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
        int[] tokenIds) {}
