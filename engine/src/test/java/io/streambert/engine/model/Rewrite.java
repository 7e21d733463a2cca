package io.streambert.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Test helper: a copy of a model directory with its weights rewritten (dtype, names, values,
 * shards) or config edited.
 */
public final class Rewrite {
    private Rewrite() {}

    public record Tensor(float[] data, long[] shape) {}

    /** All float tensors of {@code file}, widened to f32, in header order. */
    public static Map<String, Tensor> readAll(Path file) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            for (TensorInfo t : f.tensors().values())
                out.put(t.name(), new Tensor(f.readFloats(t.name()), t.shape()));
        }
        return out;
    }

    /** Writes {@code tensors} to {@code file} as {@code dtype}. */
    public static void write(Path file, Map<String, Tensor> tensors, DType dtype) {
        SafeTensorsWriter w = new SafeTensorsWriter();
        tensors.forEach((n, t) -> w.add(n, t.data(), dtype, t.shape()));
        try {
            w.write(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Copies {@code src}'s non-weight files to {@code dst}, then writes the weights mapped by
     * {@code names} / {@code values}.
     */
    public static Path checkpoint(
            Path src,
            Path dst,
            DType dtype,
            UnaryOperator<String> names,
            UnaryOperator<float[]> values) {
        copyExceptWeights(src, dst);
        Map<String, Tensor> in = readAll(src.resolve("model.safetensors")),
                out = new LinkedHashMap<>();
        in.forEach(
                (n, t) ->
                        out.put(
                                names.apply(n),
                                new Tensor(values.apply(t.data().clone()), t.shape())));
        write(dst.resolve("model.safetensors"), out, dtype);
        return dst;
    }

    /**
     * Same weights split round-robin into {@code shards} files with a model.safetensors.index.json.
     */
    public static Path sharded(Path src, Path dst, int shards) {
        copyExceptWeights(src, dst);
        Map<String, Tensor> in = readAll(src.resolve("model.safetensors"));
        List<Map<String, Tensor>> parts = new ArrayList<>();
        for (int i = 0; i < shards; i++) parts.add(new LinkedHashMap<>());
        ObjectMapper json = new ObjectMapper();
        ObjectNode index = json.createObjectNode();
        index.putObject("metadata").put("total_size", 0);
        ObjectNode map = index.putObject("weight_map");
        int i = 0;
        for (Map.Entry<String, Tensor> e : in.entrySet()) {
            int s = i++ % shards;
            parts.get(s).put(e.getKey(), e.getValue());
            map.put(e.getKey(), shardName(s, shards));
        }
        for (int s = 0; s < shards; s++)
            write(dst.resolve(shardName(s, shards)), parts.get(s), DType.F32);
        try {
            json.writeValue(dst.resolve("model.safetensors.index.json").toFile(), index);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dst;
    }

    public static String shardName(int s, int shards) {
        return String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
    }

    /** Edits config.json of {@code dir} in place. */
    public static void editConfig(Path dir, Consumer<ObjectNode> edit) {
        try {
            ObjectMapper json = new ObjectMapper();
            ObjectNode c = (ObjectNode) json.readTree(dir.resolve("config.json").toFile());
            edit.accept(c);
            json.writerWithDefaultPrettyPrinter()
                    .writeValue(dir.resolve("config.json").toFile(), c);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyExceptWeights(Path src, Path dst) {
        try {
            Files.createDirectories(dst);
            try (var files = Files.list(src)) {
                for (Path p : files.toList()) {
                    String n = p.getFileName().toString();
                    if (Files.isRegularFile(p)
                            && !n.endsWith(".safetensors")
                            && !n.equals("cases.jsonl")) Files.copy(p, dst.resolve(n));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
