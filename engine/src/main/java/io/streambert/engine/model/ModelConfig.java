package io.streambert.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A ModernBERT {@code config.json}, in either layout transformers has written:
 *
 * <ul>
 *   <li>released: {@code global_rope_theta}, {@code local_rope_theta}, {@code
 *       global_attn_every_n_layers}, {@code local_attention} (the full window; keys with |i-j| <=
 *       local_attention/2 are visited);
 *   <li>newer: {@code layer_types} (full_attention | sliding_attention per layer), {@code
 *       rope_parameters} ({full_attention, sliding_attention}.rope_theta) and, optionally, {@code
 *       sliding_window}.
 * </ul>
 *
 * Window: {@code local_attention} wins whenever it is present (the newer transformers still write
 * it, and the reference reads only it). {@code sliding_window} alone follows transformers' meaning,
 * the HALF window (transformers defines sliding_window = local_attention // 2), so local_attention
 * = 2 * sliding_window.
 */
public record ModelConfig(
        String name,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int maxPositions,
        float normEps,
        boolean normBias,
        boolean attentionBias,
        boolean mlpBias,
        boolean classifierBias,
        Activation hiddenActivation,
        Activation classifierActivation,
        String classifierPooling,
        String problemType,
        List<String> id2label,
        double globalRopeTheta,
        double localRopeTheta,
        boolean[] globalLayers,
        int localAttention,
        int clsTokenId,
        int sepTokenId,
        int padTokenId) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public int headDim() {
        return hiddenSize / numHeads;
    }

    public boolean isGlobal(int layer) {
        return globalLayers[layer];
    }

    /** keys with |i-j| <= halfWindow are visited on this layer; -1 on global layers. */
    public int halfWindow(int layer) {
        return globalLayers[layer] ? -1 : localAttention / 2;
    }

    public double ropeTheta(int layer) {
        return globalLayers[layer] ? globalRopeTheta : localRopeTheta;
    }

    public boolean multiLabel() {
        return "multi_label_classification".equals(problemType);
    }

    public static ModelConfig load(Path dir) {
        return parse(dir.resolve("config.json"), readJson(dir), dirName(dir), null);
    }

    /**
     * Reads {@code dir/config.json} and checks its sizes against the checkpoint's tensors before
     * anything is allocated from them (the check names config.json's field and the checkpoint
     * file).
     */
    public static ModelConfig load(Path dir, CheckpointShape checkpoint) {
        return parse(dir.resolve("config.json"), readJson(dir), dirName(dir), checkpoint);
    }

    public static String dirName(Path dir) {
        return dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
    }

    /** config.json as a JSON object; errors name the file. */
    public static JsonNode readJson(Path dir) {
        Path file = dir.resolve("config.json");
        JsonNode c;
        try {
            c = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ModelLoadException(
                    file + ": missing (a Hugging Face model directory needs config.json)");
        } catch (IOException e) {
            throw new ModelLoadException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (c == null || !c.isObject()) throw new ModelLoadException(file + ": not a JSON object");
        return c;
    }

    static ModelConfig parse(Path file, JsonNode c, String dirName) {
        return parse(file, c, dirName, null);
    }

    /**
     * Parses config.json's object {@code c}; with a {@code checkpoint}, checks sizes against it
     * first (may be null).
     */
    public static ModelConfig parse(
            Path file, JsonNode c, String dirName, CheckpointShape checkpoint) {
        Fields f = new Fields(file, c);
        String modelType = f.str("model_type", null);
        if (!"modernbert".equals(modelType)) {
            throw new ModelLoadException(
                    file
                            + ": model_type is "
                            + (modelType == null ? "missing" : "'" + modelType + "'")
                            + "; this engine runs only 'modernbert'");
        }
        int hidden = f.posInt("hidden_size", 768);
        int heads = f.posInt("num_attention_heads", 12);
        if (hidden % heads != 0)
            throw f.bad(
                    "hidden_size", hidden + " is not a multiple of num_attention_heads " + heads);
        if ((hidden / heads) % 2 != 0)
            throw f.bad(
                    "hidden_size", "head dimension " + hidden / heads + " must be even for RoPE");
        int layers = f.posInt("num_hidden_layers", 22);
        int vocab = f.posInt("vocab_size", 50368);
        int intermediate = f.posInt("intermediate_size", 1152);
        JsonNode lt = c.get("layer_types");
        boolean hasLayerTypes = lt != null && !lt.isNull();
        if (hasLayerTypes && (!lt.isArray() || lt.size() != layers)) {
            throw f.bad("layer_types", "must list one type for each of the " + layers + " layers");
        }
        if (checkpoint != null) checkAgainst(f, checkpoint, layers, hidden, vocab, intermediate);

        boolean[] global = new boolean[layers];
        if (hasLayerTypes) {
            for (int i = 0; i < layers; i++) {
                String t = lt.get(i).asText();
                switch (t) {
                    case "full_attention" -> global[i] = true;
                    case "sliding_attention" -> global[i] = false;
                    default ->
                            throw f.bad(
                                    "layer_types",
                                    "layer "
                                            + i
                                            + " has unknown type '"
                                            + t
                                            + "' (full_attention | sliding_attention)");
                }
            }
        } else {
            int every = f.posInt("global_attn_every_n_layers", 3);
            for (int i = 0; i < layers; i++) global[i] = i % every == 0;
        }

        double gTheta, lTheta;
        JsonNode rp = c.get("rope_parameters");
        if (rp != null && !rp.isNull()) {
            if (!rp.isObject()) throw f.bad("rope_parameters", "must be an object");
            if (!rp.has("full_attention")
                    && !rp.has("sliding_attention")
                    && (rp.has("rope_theta") || rp.has("rope_type"))) {
                // one flat set of parameters: transformers applies it to every layer type
                gTheta =
                        ropeTheta(
                                f,
                                c,
                                "rope_parameters",
                                c.path("global_rope_theta").asDouble(160000.0));
                lTheta =
                        rp.has("rope_theta")
                                ? gTheta
                                : c.path("local_rope_theta").asDouble(10000.0);
            } else {
                gTheta =
                        ropeTheta(
                                f,
                                rp,
                                "full_attention",
                                c.path("global_rope_theta").asDouble(160000.0));
                lTheta =
                        ropeTheta(
                                f,
                                rp,
                                "sliding_attention",
                                c.path("local_rope_theta").asDouble(10000.0));
            }
        } else {
            JsonNode scaling = c.get("rope_scaling");
            if (scaling != null && !scaling.isNull())
                throw f.bad("rope_scaling", "RoPE scaling is not supported");
            gTheta = f.posDouble("global_rope_theta", 160000.0);
            JsonNode local = c.get("local_rope_theta");
            lTheta =
                    local == null || local.isNull()
                            ? gTheta
                            : f.posDouble("local_rope_theta", gTheta);
        }

        int window;
        if (c.hasNonNull("local_attention")) {
            window = f.posInt("local_attention", 128);
        } else if (c.hasNonNull("sliding_window")) {
            window = 2 * f.posInt("sliding_window", 64);
        } else {
            window = 128;
        }

        Activation hiddenAct = activation(f, "hidden_activation");
        Activation clsAct = activation(f, "classifier_activation");
        String pooling = f.str("classifier_pooling", "cls");
        if (!pooling.equals("cls") && !pooling.equals("mean"))
            throw f.bad("classifier_pooling", "'" + pooling + "' (cls | mean)");

        List<String> labels = new ArrayList<>();
        JsonNode id2label = c.get("id2label");
        if (id2label != null && !id2label.isNull()) {
            if (!id2label.isObject())
                throw f.bad("id2label", "must be an object {\"0\": \"label\", ...}");
            Map<Integer, String> byId = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = id2label.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                try {
                    byId.put(Integer.parseInt(e.getKey().trim()), e.getValue().asText());
                } catch (NumberFormatException x) {
                    throw f.bad("id2label", "key '" + e.getKey() + "' is not an integer");
                }
            }
            int i = 0;
            for (Map.Entry<Integer, String> e : byId.entrySet()) {
                if (e.getKey() != i++)
                    throw f.bad(
                            "id2label", "ids must be 0..n-1 without gaps, found " + byId.keySet());
                labels.add(e.getValue());
            }
        }

        String name = f.str("_name_or_path", "");
        if (name.isBlank()) name = dirName;
        return new ModelConfig(
                name,
                vocab,
                hidden,
                intermediate,
                layers,
                heads,
                f.posInt("max_position_embeddings", 8192),
                (float) f.posDouble("norm_eps", 1e-5),
                f.bool("norm_bias", false),
                f.bool("attention_bias", false),
                f.bool("mlp_bias", false),
                f.bool("classifier_bias", false),
                hiddenAct,
                clsAct,
                pooling,
                f.str("problem_type", null),
                List.copyOf(labels),
                gTheta,
                lTheta,
                global,
                window,
                f.integer("cls_token_id", 50281),
                f.integer("sep_token_id", 50282),
                f.integer("pad_token_id", 50283));
    }

    /**
     * Sizes in config.json that the checkpoint's tensors contradict: an error naming both, before
     * any allocation.
     */
    private static void checkAgainst(
            Fields f, CheckpointShape ck, int layers, int hidden, int vocab, int intermediate) {
        if (ck.layers() != layers) {
            throw f.bad(
                    "num_hidden_layers",
                    layers
                            + ", but "
                            + ck.source()
                            + " holds "
                            + ck.layers()
                            + " encoder layers"
                            + (ck.layers() > 0
                                    ? " (layers.0 .. layers."
                                            + (ck.layers() - 1)
                                            + "; the last: "
                                            + ck.lastLayer()
                                            + ")"
                                    : "")
                            + ": the checkpoint does not match config.json");
        }
        if (ck.hiddenColumns() >= 0 && ck.hiddenColumns() != hidden) {
            throw f.bad(
                    "hidden_size",
                    hidden
                            + ", but "
                            + ck.source()
                            + " has embeddings.tok_embeddings.weight with "
                            + ck.hiddenColumns()
                            + " columns");
        }
        if (ck.vocabRows() >= 0 && ck.vocabRows() != vocab) {
            throw f.bad(
                    "vocab_size",
                    vocab
                            + ", but "
                            + ck.source()
                            + " has embeddings.tok_embeddings.weight with "
                            + ck.vocabRows()
                            + " rows");
        }
        if (ck.intermediate() >= 0 && ck.intermediate() != intermediate) {
            throw f.bad(
                    "intermediate_size",
                    intermediate
                            + ", but "
                            + ck.source()
                            + " has layers.0.mlp.Wi.weight with "
                            + 2 * ck.intermediate()
                            + " rows (2 x intermediate_size)");
        }
    }

    /**
     * rope_theta of {@code parent.key} (a rope_parameters object); {@code fallback} when it has
     * none.
     */
    private static double ropeTheta(Fields f, JsonNode parent, String key, double fallback) {
        JsonNode p = parent.get(key);
        if (p == null || p.isNull()) return fallback;
        String where = key.equals("rope_parameters") ? key : "rope_parameters." + key;
        String type = p.path("rope_type").asText("default");
        if (!type.equals("default"))
            throw f.bad(where + ".rope_type", "'" + type + "' is not supported (only default)");
        JsonNode t = p.get("rope_theta");
        if (t == null || t.isNull()) return fallback;
        if (!t.isNumber() || t.asDouble() <= 0)
            throw f.bad(where + ".rope_theta", "must be a positive number");
        return t.asDouble();
    }

    private static Activation activation(Fields f, String key) {
        String s = f.str(key, "gelu");
        Activation a = Activation.parse(s);
        if (a == null)
            throw f.bad(
                    key,
                    "'" + s + "' is not supported (gelu, gelu_pytorch_tanh, relu, silu, tanh)");
        return a;
    }

    /** Typed access to config fields with errors that name the file and the field. */
    private record Fields(Path file, JsonNode c) {
        ModelLoadException bad(String key, String what) {
            return new ModelLoadException(file + ": field '" + key + "': " + what);
        }

        String str(String key, String dflt) {
            JsonNode n = c.get(key);
            if (n == null || n.isNull()) return dflt;
            if (!n.isTextual()) throw bad(key, "must be a string, got " + n);
            return n.asText();
        }

        int integer(String key, int dflt) {
            JsonNode n = c.get(key);
            if (n == null || n.isNull()) return dflt;
            if (!n.isIntegralNumber() || !n.canConvertToInt())
                throw bad(key, "must be an integer, got " + n);
            return n.asInt();
        }

        int posInt(String key, int dflt) {
            int v = integer(key, dflt);
            if (v <= 0) throw bad(key, "must be positive, got " + v);
            return v;
        }

        double posDouble(String key, double dflt) {
            JsonNode n = c.get(key);
            if (n == null || n.isNull()) return dflt;
            if (!n.isNumber() || !(n.asDouble() > 0))
                throw bad(key, "must be a positive number, got " + n);
            return n.asDouble();
        }

        boolean bool(String key, boolean dflt) {
            JsonNode n = c.get(key);
            if (n == null || n.isNull()) return dflt;
            if (!n.isBoolean()) throw bad(key, "must be true or false, got " + n);
            return n.asBoolean();
        }
    }
}
