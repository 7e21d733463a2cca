package io.streambert.serde;

import io.streambert.serde.json.Utf8Check;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

/**
 * An Avro binary decoder over one message that refuses lengths and counts the message cannot hold.
 * Avro allocates a string's bytes or an array's slots as soon as it reads the length, before
 * reading the data; in garbage those lengths can be two billion, and one poison pill would then
 * take the whole service down with OutOfMemoryError instead of landing on the dead-letter topic.
 * Every string/bytes length must fit in the bytes that remain, and every array/map block count may
 * not exceed them (each map entry holds at least its key's length byte; each array item of our
 * schemas at least one byte, which SchemaBoundsTest checks for every bundled schema). Strings must
 * also be valid UTF-8.
 */
final class BoundedDecoder extends Decoder {
    private final BinaryDecoder in;

    private BoundedDecoder(BinaryDecoder in) {
        this.in = in;
    }

    static BoundedDecoder over(byte[] bytes, int offset, int length) {
        return new BoundedDecoder(DecoderFactory.get().binaryDecoder(bytes, offset, length, null));
    }

    /** Bytes of the message not consumed yet. */
    int remaining() throws IOException {
        return in.inputStream().available();
    }

    private int checkedLength(String what) throws IOException {
        long length = in.readLong();
        if (length < 0) {
            throw new CorruptAvroException(what + " length " + length + " is negative");
        }
        int left = remaining();
        if (length > left) {
            throw new CorruptAvroException(
                    what + " length " + length + " but only " + left + " bytes remain");
        }
        return (int) length;
    }

    private long checkedCount(long count, String what) throws IOException {
        int left = remaining();
        if (count > left) {
            throw new CorruptAvroException(
                    "block of " + count + " " + what + " but only " + left + " bytes remain");
        }
        return count;
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = checkedLength("string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        in.readFixed(result.getBytes(), 0, length);
        // Avro would turn invalid UTF-8 into U+FFFD silently; text that changed on the way is not
        // what was sent.
        int bad = Utf8Check.firstInvalidOffset(result.getBytes(), 0, length);
        if (bad >= 0) {
            throw new CorruptAvroException(
                    "string of " + length + " bytes is not valid UTF-8 at its byte " + bad);
        }
        return result;
    }

    @Override
    public String readString() throws IOException {
        return readString(null).toString();
    }

    @Override
    public void skipString() throws IOException {
        in.skipFixed(checkedLength("string"));
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        byte[] bytes = new byte[checkedLength("bytes")];
        in.readFixed(bytes);
        return ByteBuffer.wrap(bytes);
    }

    @Override
    public void skipBytes() throws IOException {
        in.skipFixed(checkedLength("bytes"));
    }

    @Override
    public long readArrayStart() throws IOException {
        return checkedCount(in.readArrayStart(), "array items");
    }

    @Override
    public long arrayNext() throws IOException {
        return checkedCount(in.arrayNext(), "array items");
    }

    @Override
    public long skipArray() throws IOException {
        return checkedCount(in.skipArray(), "array items");
    }

    @Override
    public long readMapStart() throws IOException {
        return checkedCount(in.readMapStart(), "map entries");
    }

    @Override
    public long mapNext() throws IOException {
        return checkedCount(in.mapNext(), "map entries");
    }

    @Override
    public long skipMap() throws IOException {
        return checkedCount(in.skipMap(), "map entries");
    }

    // Fixed-size values: nothing in the data can make these allocate.

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        in.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }

    /** A length or count in the data that cannot be right. */
    static final class CorruptAvroException extends IOException {
        CorruptAvroException(String message) {
            super(message);
        }
    }
}
