package io.streambert.engine.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped safetensors file: 8-byte little-endian header length, a JSON header, then the
 * data section.
 *
 * <p>The whole file is mapped (a {@link MemorySegment}, so files beyond 2 GiB work) and tensors are
 * read straight from the mapping; nothing but the header is copied onto the heap until a tensor is
 * asked for. The header is validated completely at open time, so a truncated or hostile file fails
 * here with a {@link ModelLoadException} naming the file and the tensor, never later with an
 * out-of-bounds access.
 */
public final class SafeTensorsFile implements AutoCloseable {
    /**
     * Largest header accepted: real headers are a few hundred KiB; this bounds what a hostile
     * length can allocate.
     */
    public static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final ObjectMapper HEADER_JSON =
            new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Path path;
    private final Arena arena;
    private final MemorySegment data; // the data section only
    private final byte[] headerBytes;
    private final long fileSize;
    private final Map<String, TensorInfo> tensors;

    private SafeTensorsFile(
            Path path,
            Arena arena,
            MemorySegment data,
            byte[] headerBytes,
            long fileSize,
            Map<String, TensorInfo> tensors) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.headerBytes = headerBytes;
        this.fileSize = fileSize;
        this.tensors = tensors;
    }

    public static SafeTensorsFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8)
                throw fail(
                        path,
                        "file is "
                                + size
                                + " bytes, too short for the 8-byte header length (truncated?)");
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long n = all.get(I64, 0);
            if (n < 2 || n > size - 8) {
                throw fail(
                        path,
                        "header length "
                                + Long.toUnsignedString(n)
                                + " does not fit in the file ("
                                + size
                                + " bytes; truncated or not a safetensors file?)");
            }
            if (n > MAX_HEADER_BYTES)
                throw fail(
                        path,
                        "header length " + n + " exceeds the " + MAX_HEADER_BYTES + "-byte limit");
            byte[] header = all.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment data = all.asSlice(8 + n);
            Map<String, TensorInfo> tensors = parseHeader(path, header, data.byteSize());
            return new SafeTensorsFile(path, arena, data, header, size, tensors);
        } catch (ModelLoadException e) {
            arena.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw new ModelLoadException(
                    path + ": cannot read safetensors file: " + e.getMessage(), e);
        }
    }

    private static Map<String, TensorInfo> parseHeader(Path path, byte[] header, long dataSize) {
        JsonNode root;
        try {
            root = HEADER_JSON.readTree(header);
        } catch (JsonProcessingException e) {
            throw fail(path, "header is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw fail(path, "header is not readable: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw fail(path, "header is not a JSON object");
        Map<String, TensorInfo> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.equals("__metadata__")) continue;
            out.put(name, parseEntry(path, name, e.getValue(), dataSize));
        }
        checkNoOverlap(path, out.values());
        return Collections.unmodifiableMap(out);
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode n, long dataSize) {
        if (!n.isObject()) throw failTensor(path, name, "header entry is not an object");
        JsonNode dt = n.get("dtype"), sh = n.get("shape"), off = n.get("data_offsets");
        if (dt == null || !dt.isTextual()) throw failTensor(path, name, "missing dtype");
        DType dtype = DType.parse(dt.asText());
        if (dtype == null)
            throw failTensor(
                    path,
                    name,
                    "unknown dtype " + dt.asText() + " (supported: F32, F16, BF16, I32, I64)");
        if (sh == null || !sh.isArray()) throw failTensor(path, name, "missing shape");
        long[] shape = new long[sh.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0)
                throw failTensor(path, name, "bad shape " + sh);
            shape[i] = d.asLong();
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException x) {
                throw failTensor(path, name, "shape " + sh + " overflows");
            }
        }
        if (off == null
                || !off.isArray()
                || off.size() != 2
                || !off.get(0).isIntegralNumber()
                || !off.get(1).isIntegralNumber()
                || !off.get(0).canConvertToLong()
                || !off.get(1).canConvertToLong()) {
            throw failTensor(path, name, "data_offsets must be two integers, got " + off);
        }
        long begin = off.get(0).asLong(), end = off.get(1).asLong();
        if (begin < 0 || end < begin || end > dataSize) {
            throw failTensor(
                    path,
                    name,
                    "data_offsets ["
                            + begin
                            + ", "
                            + end
                            + "] outside the data section of "
                            + dataSize
                            + " bytes (truncated file?)");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(elements, dtype.bytes());
        } catch (ArithmeticException x) {
            throw failTensor(path, name, "shape " + sh + " overflows");
        }
        if (bytes != end - begin) {
            throw failTensor(
                    path,
                    name,
                    "shape "
                            + sh
                            + " x "
                            + dtype
                            + " is "
                            + bytes
                            + " bytes but data_offsets span "
                            + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void checkNoOverlap(Path path, Iterable<TensorInfo> infos) {
        List<TensorInfo> sorted = new ArrayList<>();
        infos.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo a = sorted.get(i - 1), b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw failTensor(
                        path,
                        b.name(),
                        "data_offsets ["
                                + b.begin()
                                + ", "
                                + b.end()
                                + "] overlap tensor '"
                                + a.name()
                                + "' ["
                                + a.begin()
                                + ", "
                                + a.end()
                                + "]");
            }
        }
    }

    static ModelLoadException fail(Path path, String what) {
        return new ModelLoadException(path + ": " + what);
    }

    static ModelLoadException failTensor(Path path, String tensor, String what) {
        return new ModelLoadException(path + ": tensor '" + tensor + "': " + what);
    }

    public Path path() {
        return path;
    }

    /** Tensor names in header order, {@code __metadata__} excluded. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) throw fail(path, "no tensor named '" + name + "'");
        return t;
    }

    /** The raw header JSON bytes (for a content hash). */
    public byte[] headerBytes() {
        return headerBytes.clone();
    }

    public long fileSize() {
        return fileSize;
    }

    /**
     * Feeds 64 evenly spread 256-byte samples of the data section to {@code md}: enough that two
     * random checkpoints of the same shapes get different revisions, without reading gigabytes.
     */
    public void digestSamples(java.security.MessageDigest md) {
        long size = data.byteSize();
        int samples = 64, chunk = 256;
        for (int i = 0; i < samples; i++) {
            long at = size <= chunk ? 0 : (size - chunk) * i / (samples - 1);
            long len = Math.min(chunk, size - at);
            if (len > 0) md.update(data.asSlice(at, len).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /**
     * A float tensor widened to f32 (bf16 and f16 are converted exactly). Integer tensors: {@link
     * #readInts}.
     */
    public float[] readFloats(String name) {
        try {
            return readFloats0(name);
        } catch (InternalError e) {
            throw shrunk(name, e);
        }
    }

    /** An integer tensor (I32, or I64 whose values fit in an int). */
    public int[] readInts(String name) {
        try {
            return readInts0(name);
        } catch (InternalError e) {
            throw shrunk(name, e);
        }
    }

    /**
     * The JVM turns a fault on a mapped page (SIGBUS: the file was cut after it was opened) into an
     * InternalError.
     */
    private ModelLoadException shrunk(String name, InternalError e) {
        return new ModelLoadException(
                path
                        + ": tensor '"
                        + name
                        + "': the file changed while being read (truncated after it was opened?)",
                e);
    }

    private float[] readFloats0(String name) {
        TensorInfo t = info(name);
        int n = arrayLength(t);
        MemorySegment s = data.asSlice(t.begin(), t.end() - t.begin());
        float[] out = new float[n];
        switch (t.dtype()) {
            case F32 -> MemorySegment.copy(s, F32, 0, out, 0, n);
            case BF16 -> {
                for (int i = 0; i < n; i++) out[i] = Bf16.toFloat(s.getAtIndex(U16, i));
            }
            case F16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(s.getAtIndex(U16, i));
            }
            default ->
                    throw failTensor(
                            path,
                            name,
                            "is " + t.dtype() + ", expected a float tensor (F32, F16 or BF16)");
        }
        return out;
    }

    private int[] readInts0(String name) {
        TensorInfo t = info(name);
        int n = arrayLength(t);
        MemorySegment s = data.asSlice(t.begin(), t.end() - t.begin());
        int[] out = new int[n];
        switch (t.dtype()) {
            case I32 -> MemorySegment.copy(s, I32, 0, out, 0, n);
            case I64 -> {
                for (int i = 0; i < n; i++) {
                    long v = s.getAtIndex(I64, i);
                    if (v != (int) v)
                        throw failTensor(
                                path,
                                name,
                                "value " + v + " at index " + i + " does not fit in an int");
                    out[i] = (int) v;
                }
            }
            default -> throw failTensor(path, name, "is " + t.dtype() + ", expected I32 or I64");
        }
        return out;
    }

    private int arrayLength(TensorInfo t) {
        long n = t.elements();
        if (n > Integer.MAX_VALUE - 8)
            throw failTensor(path, t.name(), n + " elements exceed one Java array");
        return (int) n;
    }

    @Override
    public void close() {
        arena.close();
    }
}
