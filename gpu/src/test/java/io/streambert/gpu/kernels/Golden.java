package io.streambert.gpu.kernels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The single-kernel reference vectors (test resource golden/kernels/vectors.safetensors,
 * float64-computed).
 */
final class Golden {
    private final Map<String, float[]> floats = new HashMap<>();
    private final Map<String, int[]> ints = new HashMap<>();

    private static Golden instance;

    static synchronized Golden kernels() {
        if (instance == null) instance = read("/golden/kernels/vectors.safetensors");
        return instance;
    }

    float[] f32(String name) {
        float[] v = floats.get(name);
        if (v == null)
            throw new IllegalArgumentException("golden vectors have no F32 tensor " + name);
        return v;
    }

    int[] i32(String name) {
        int[] v = ints.get(name);
        if (v == null)
            throw new IllegalArgumentException("golden vectors have no I32 tensor " + name);
        return v;
    }

    private static Golden read(String resource) {
        try (InputStream in = Golden.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            ByteBuffer all = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            int headerLen = (int) all.getLong(0);
            JsonNode header =
                    new ObjectMapper()
                            .readTree(
                                    new String(
                                            all.array(),
                                            8,
                                            headerLen,
                                            java.nio.charset.StandardCharsets.UTF_8));
            Golden g = new Golden();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) continue;
                String dtype = e.getValue().get("dtype").asText();
                int begin = 8 + headerLen + e.getValue().get("data_offsets").get(0).asInt();
                int end = 8 + headerLen + e.getValue().get("data_offsets").get(1).asInt();
                int n = (end - begin) / 4;
                ByteBuffer data = all.slice(begin, end - begin).order(ByteOrder.LITTLE_ENDIAN);
                switch (dtype) {
                    case "F32" -> {
                        float[] v = new float[n];
                        data.asFloatBuffer().get(v);
                        g.floats.put(e.getKey(), v);
                    }
                    case "I32" -> {
                        int[] v = new int[n];
                        data.asIntBuffer().get(v);
                        g.ints.put(e.getKey(), v);
                    }
                    default ->
                            throw new IllegalStateException(
                                    resource
                                            + ": tensor "
                                            + e.getKey()
                                            + " has unsupported dtype "
                                            + dtype);
                }
            }
            return g;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
