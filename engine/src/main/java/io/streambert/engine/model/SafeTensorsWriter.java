package io.streambert.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a safetensors file: float tensors stored as F32, F16 or BF16 (both narrowings round to
 * nearest even), integer tensors as I32. Used by tests and by the random-model command.
 *
 * <p>Tensors are written in name order, the header padded with spaces to a multiple of 8 (as the
 * reference does). Everything is held in memory until {@link #write}; for checkpoints far beyond a
 * few GiB stream instead.
 */
public final class SafeTensorsWriter {
    private record Entry(DType dtype, long[] shape, float[] floats, int[] ints) {}

    private final Map<String, Entry> entries = new TreeMap<>();
    private final Map<String, String> metadata = new TreeMap<>();

    /** Adds a float tensor stored as {@code dtype} (F32, F16 or BF16). */
    public SafeTensorsWriter add(String name, float[] data, DType dtype, long... shape) {
        if (!dtype.isFloat())
            throw new IllegalArgumentException(name + ": " + dtype + " is not a float dtype");
        check(name, data.length, shape);
        entries.put(name, new Entry(dtype, shape.clone(), data, null));
        return this;
    }

    /** Adds an I32 tensor. */
    public SafeTensorsWriter addInts(String name, int[] data, long... shape) {
        check(name, data.length, shape);
        entries.put(name, new Entry(DType.I32, shape.clone(), null, data));
        return this;
    }

    /** A {@code __metadata__} string entry (readers ignore it). */
    public SafeTensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    private static void check(String name, int length, long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        if (n != length)
            throw new IllegalArgumentException(
                    name + ": " + length + " values for shape " + java.util.Arrays.toString(shape));
    }

    public void write(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        List<Map.Entry<String, Entry>> ordered = new ArrayList<>(entries.entrySet());
        for (Map.Entry<String, Entry> e : ordered) {
            Entry t = e.getValue();
            long bytes =
                    (t.floats != null ? t.floats.length : t.ints.length) * (long) t.dtype.bytes();
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", t.dtype.name());
            ArrayNode shape = n.putArray("shape");
            for (long d : t.shape) shape.add(d);
            ArrayNode offs = n.putArray("data_offsets");
            offs.add(offset);
            offs.add(offset + bytes);
            offset += bytes;
        }
        StringBuilder h = new StringBuilder(json.writeValueAsString(header));
        while (h.toString().getBytes(StandardCharsets.UTF_8).length % 8 != 0) h.append(' ');
        byte[] headerBytes = h.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            ByteBuffer len =
                    ByteBuffer.allocate(8)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .putLong(headerBytes.length);
            out.write(len.array());
            out.write(headerBytes);
            for (Map.Entry<String, Entry> e : ordered) writeData(out, e.getValue());
        }
    }

    private static void writeData(OutputStream out, Entry t) throws IOException {
        int n = t.floats != null ? t.floats.length : t.ints.length;
        ByteBuffer buf = ByteBuffer.allocate(8192).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            if (buf.remaining() < 8) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            switch (t.dtype) {
                case F32 -> buf.putFloat(t.floats[i]);
                case F16 -> buf.putShort(Float.floatToFloat16(t.floats[i]));
                case BF16 -> buf.putShort(Bf16.fromFloat(t.floats[i]));
                case I32 -> buf.putInt(t.ints[i]);
                default -> throw new IllegalStateException(t.dtype.name());
            }
        }
        out.write(buf.array(), 0, buf.position());
    }
}
