package io.streambert.serde;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/** Avro binary decoders over a byte range, and how many bytes a decoder left unread. */
final class BoundedBinaryDecoder {
    private BoundedBinaryDecoder() {}

    static BinaryDecoder over(byte[] bytes, int offset, int length) {
        return DecoderFactory.get().binaryDecoder(bytes, offset, length, null);
    }

    static int remaining(BinaryDecoder dec) {
        try {
            return dec.inputStream().available();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
