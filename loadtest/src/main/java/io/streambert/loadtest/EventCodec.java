package io.streambert.loadtest;

import io.streambert.schemas.ModerationEvent;
import io.streambert.schemas.TextEvent;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The wire format the load generator speaks: the service's default, Avro single-object encoding of the
 * bundled schemas (registry-free). Kept in one place so a different format is a one-file change.
 */
final class EventCodec {
    private EventCodec() {
    }

    static byte[] encode(TextEvent event) {
        try {
            ByteBuffer buf = event.toByteBuffer();
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode TextEvent " + event.getId() + ": " + e.getMessage(), e);
        }
    }

    /** Null when the bytes are not a ModerationEvent of the bundled schema (counted, not fatal). */
    static ModerationEvent decodeModeration(byte[] bytes) {
        try {
            return ModerationEvent.fromByteBuffer(ByteBuffer.wrap(bytes));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
