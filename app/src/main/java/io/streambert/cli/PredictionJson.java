package io.streambert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streambert.engine.ModelInfo;
import io.streambert.engine.Prediction;
import java.util.List;

/**
 * The output line of {@code infer}: {"id", "tokens", "label", "scores": {label: prob}, "logits":
 * [...], "embedding": [...]}, or {"id", "error"}.
 */
final class PredictionJson {
    private PredictionJson() {}

    static ObjectNode of(ObjectMapper json, JsonNode id, Prediction p, ModelInfo info) {
        ObjectNode o = json.createObjectNode();
        o.set("id", id);
        o.put("tokens", p.tokens());
        if (p.label() == null) o.putNull("label");
        else o.put("label", p.label());
        ObjectNode scores = o.putObject("scores");
        List<String> labels = info.labels();
        for (int i = 0; i < p.scores().length && i < labels.size(); i++)
            scores.put(labels.get(i), p.scores()[i]);
        ArrayNode logits = o.putArray("logits");
        for (float v : p.logits()) logits.add(v);
        ArrayNode emb = o.putArray("embedding");
        for (float v : p.embedding()) emb.add(v);
        return o;
    }

    static ObjectNode error(ObjectMapper json, JsonNode id, String error) {
        ObjectNode o = json.createObjectNode();
        o.set("id", id);
        o.put("error", error);
        return o;
    }
}
