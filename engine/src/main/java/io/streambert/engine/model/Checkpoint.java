package io.streambert.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The weights of a Hugging Face model directory: {@code model.safetensors}, or the shards listed by
 * {@code model.safetensors.index.json} (weight_map: tensor name -> shard file).
 *
 * <p>Names are canonicalised: the encoder's tensors are addressed without the {@code model.} prefix
 * that the task checkpoints (ForSequenceClassification, ForMaskedLM) put in front of them, so
 * {@code model.layers.0.attn.Wqkv.weight} and a bare encoder's {@code layers.0.attn.Wqkv.weight}
 * are both {@code layers.0.attn.Wqkv.weight}. Heads keep their names ({@code head.*}, {@code
 * classifier.*}, {@code decoder.*}).
 */
public final class Checkpoint implements AutoCloseable {
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private record Located(SafeTensorsFile file, TensorInfo info) {}

    private final Path source; // model.safetensors or the index file, for messages
    private final List<SafeTensorsFile> files;
    private final Map<String, Located> tensors; // canonical name -> where it lives

    private Checkpoint(Path source, List<SafeTensorsFile> files, Map<String, Located> tensors) {
        this.source = source;
        this.files = files;
        this.tensors = tensors;
    }

    public static Checkpoint open(Path dir) {
        Path index = dir.resolve(INDEX), single = dir.resolve(SINGLE);
        if (Files.isRegularFile(index)) return openSharded(dir, index);
        if (Files.isRegularFile(single)) {
            SafeTensorsFile f = SafeTensorsFile.open(single);
            try {
                Map<String, Located> map = new LinkedHashMap<>();
                for (TensorInfo t : f.tensors().values())
                    put(map, single, canonical(t.name()), new Located(f, t));
                return new Checkpoint(single, List.of(f), map);
            } catch (RuntimeException e) {
                f.close();
                throw e;
            }
        }
        String hint =
                Files.exists(dir.resolve("pytorch_model.bin"))
                        ? " (found pytorch_model.bin: only safetensors weights are supported; convert the checkpoint)"
                        : "";
        throw new ModelLoadException(dir + ": no " + SINGLE + " or " + INDEX + hint);
    }

    private static Checkpoint openSharded(Path dir, Path index) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(index));
        } catch (IOException e) {
            throw new ModelLoadException(index + ": not valid JSON: " + e.getMessage(), e);
        }
        JsonNode wm = root == null ? null : root.get("weight_map");
        if (wm == null || !wm.isObject() || wm.isEmpty())
            throw new ModelLoadException(index + ": no weight_map object");
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = wm.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual())
                throw new ModelLoadException(
                        index + ": weight_map entry '" + e.getKey() + "' is not a file name");
            weightMap.put(e.getKey(), e.getValue().asText());
        }
        Map<String, SafeTensorsFile> shards = new LinkedHashMap<>();
        try {
            Path base = dir.toAbsolutePath().normalize();
            for (String shard : new java.util.LinkedHashSet<>(weightMap.values())) {
                Path p = base.resolve(shard).normalize();
                // a shard name is a file in this directory: never let an index point elsewhere on
                // disk
                if (!p.getParent().equals(base))
                    throw new ModelLoadException(
                            index + ": shard '" + shard + "' is not a file in " + dir);
                if (!Files.isRegularFile(p))
                    throw new ModelLoadException(index + ": shard '" + shard + "' is missing");
                shards.put(shard, SafeTensorsFile.open(p));
            }
            Map<String, Located> map = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                SafeTensorsFile f = shards.get(e.getValue());
                TensorInfo t = f.tensors().get(e.getKey());
                if (t == null) {
                    throw new ModelLoadException(
                            f.path()
                                    + ": tensor '"
                                    + e.getKey()
                                    + "' listed in "
                                    + INDEX
                                    + " is not in this shard");
                }
                put(map, index, canonical(t.name()), new Located(f, t));
            }
            return new Checkpoint(index, List.copyOf(shards.values()), map);
        } catch (RuntimeException e) {
            shards.values().forEach(SafeTensorsFile::close);
            throw e;
        }
    }

    private static void put(Map<String, Located> map, Path source, String canonical, Located loc) {
        Located prev = map.putIfAbsent(canonical, loc);
        if (prev != null) {
            throw new ModelLoadException(
                    source
                            + ": tensor '"
                            + loc.info().name()
                            + "' and '"
                            + prev.info().name()
                            + "' are the same weight ("
                            + canonical
                            + ") stored twice");
        }
    }

    /** Strips the task model's {@code model.} prefix from encoder tensors. */
    static String canonical(String name) {
        if (name.startsWith("model.")) return name.substring("model.".length());
        return name;
    }

    /** model.safetensors or the index file: what error messages about the whole checkpoint name. */
    public Path source() {
        return source;
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    public boolean has(String canonicalName) {
        return tensors.containsKey(canonicalName);
    }

    /** Where a tensor lives, as "file: tensor 'stored name'" for messages. */
    public String where(String canonicalName) {
        Located l = tensors.get(canonicalName);
        return l == null
                ? source + ": tensor '" + canonicalName + "'"
                : l.file().path() + ": tensor '" + l.info().name() + "'";
    }

    public TensorInfo info(String canonicalName) {
        Located l = tensors.get(canonicalName);
        if (l == null)
            throw new ModelLoadException(source + ": missing tensor '" + canonicalName + "'");
        return l.info();
    }

    /** A float tensor widened to f32, after checking it has exactly {@code shape}. */
    public float[] floats(String canonicalName, long... shape) {
        Located l = tensors.get(canonicalName);
        if (l == null)
            throw new ModelLoadException(source + ": missing tensor '" + canonicalName + "'");
        if (!Arrays.equals(l.info().shape(), shape)) {
            throw new ModelLoadException(
                    where(canonicalName)
                            + ": shape "
                            + l.info().shapeString()
                            + " but config.json implies "
                            + Arrays.toString(shape));
        }
        if (!l.info().dtype().isFloat())
            throw new ModelLoadException(
                    where(canonicalName) + ": dtype " + l.info().dtype() + " is not a float type");
        return l.file().readFloats(l.info().name());
    }

    /**
     * A short content hash of the weights: SHA-256 over every file's header, size and a few sampled
     * data bytes (cheap: no full read).
     */
    public String revision() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (SafeTensorsFile f : files) {
                md.update(f.headerBytes());
                md.update(Long.toString(f.fileSize()).getBytes(StandardCharsets.UTF_8));
                f.digestSamples(md);
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The files behind this checkpoint (one, or the shards). */
    public List<Path> files() {
        List<Path> out = new ArrayList<>();
        for (SafeTensorsFile f : files) out.add(f.path());
        return out;
    }

    @Override
    public void close() {
        for (SafeTensorsFile f : files) f.close();
    }
}
