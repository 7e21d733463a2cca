package io.streambert.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The embedding pooling a sentence-transformers export asks for: {@code modules.json} names a
 * {@code sentence_transformers.models.Pooling} module whose folder (usually {@code 1_Pooling/})
 * holds a config.json with {@code pooling_mode_cls_token} / {@code pooling_mode_mean_tokens}.
 * Pipelines with other modules (a Dense projection, ...) are refused: this engine would silently
 * produce different embeddings.
 */
public final class SentenceTransformersPooling {
    private static final java.util.regex.Pattern SUPPORTED_MODULES =
            java.util.regex.Pattern.compile(
                    "sentence_transformers\\.models\\.(Transformer|Pooling|Normalize)");

    private SentenceTransformersPooling() {}

    /**
     * "cls", "mean", or null when the directory is not a sentence-transformers export (or has no
     * Pooling module).
     */
    public static String read(Path dir) {
        Path modules = dir.resolve("modules.json");
        Path poolingDir = null;
        ObjectMapper json = new ObjectMapper();
        if (Files.isRegularFile(modules)) {
            JsonNode root = readJson(json, modules);
            if (!root.isArray())
                throw new ModelLoadException(modules + ": expected a JSON array of modules");
            for (JsonNode m : root) {
                String type = m.path("type").asText("");
                if (!SUPPORTED_MODULES.matcher(type).matches()) {
                    // a Dense projection or similar after pooling would make our embeddings
                    // silently differ from theirs
                    throw new ModelLoadException(
                            modules
                                    + ": module '"
                                    + type
                                    + "' ("
                                    + m.path("path").asText("")
                                    + ") is not supported;"
                                    + " only Transformer, Pooling and Normalize pipelines give the same embeddings here");
                }
                if (type.endsWith(".Pooling")) {
                    String p = m.path("path").asText("");
                    poolingDir = dir.resolve(p).normalize();
                    if (!poolingDir.startsWith(dir.normalize()))
                        throw new ModelLoadException(
                                modules + ": Pooling path '" + p + "' leaves the model directory");
                }
            }
            if (poolingDir == null) return null;
        } else if (Files.isRegularFile(dir.resolve("1_Pooling/config.json"))) {
            poolingDir = dir.resolve("1_Pooling");
        } else {
            return null;
        }
        Path cfg = poolingDir.resolve("config.json");
        if (!Files.isRegularFile(cfg))
            throw new ModelLoadException(
                    cfg + ": missing (named by modules.json's Pooling module)");
        JsonNode c = readJson(json, cfg);
        boolean cls = c.path("pooling_mode_cls_token").asBoolean(false);
        boolean mean = c.path("pooling_mode_mean_tokens").asBoolean(false);
        for (String other :
                new String[] {
                    "pooling_mode_max_tokens",
                    "pooling_mode_mean_sqrt_len_tokens",
                    "pooling_mode_weightedmean_tokens",
                    "pooling_mode_lasttoken"
                }) {
            if (c.path(other).asBoolean(false))
                throw new ModelLoadException(
                        cfg
                                + ": field '"
                                + other
                                + "': this pooling mode is not supported (cls or mean only)");
        }
        if (cls && mean)
            throw new ModelLoadException(
                    cfg
                            + ": both cls and mean pooling are on; concatenated pooling is not supported");
        if (cls) return "cls";
        if (mean) return "mean";
        throw new ModelLoadException(
                cfg
                        + ": no pooling mode is on (expected pooling_mode_mean_tokens or pooling_mode_cls_token)");
    }

    private static JsonNode readJson(ObjectMapper json, Path file) {
        try {
            JsonNode n = json.readTree(Files.readAllBytes(file));
            if (n == null) throw new ModelLoadException(file + ": empty");
            return n;
        } catch (IOException e) {
            throw new ModelLoadException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }
}
