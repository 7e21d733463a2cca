package io.streambert.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.streambert.engine.EmptyText;
import io.streambert.engine.Encoder;
import io.streambert.engine.TextNormalization;
import io.streambert.engine.TokenizerMismatchException;

/**
 * One input line of {@code infer}, parsed: its id (echoed back exactly as given, string or number)
 * and either the token ids to run or the reason it cannot run.
 *
 * @param lineNo 1-based line number in the input, for error messages
 * @param id the "id" value, or JSON null when the line has none
 * @param ids token ids ([CLS] ... [SEP]) when the line is good, else null
 * @param error why the line is bad, else null
 */
record InferLine(long lineNo, JsonNode id, int[] ids, String error) {

    static InferLine failed(long lineNo, JsonNode id, String error) {
        return new InferLine(lineNo, id, null, "line " + lineNo + ": " + error);
    }

    /** A line longer than the limit: an error carrying the id when its first bytes show one. */
    static InferLine tooLong(long lineNo, BoundedLines.Line line, int maxBytes, ObjectMapper json) {
        return failed(
                lineNo,
                idFromPrefix(line.prefix(), json),
                "line is "
                        + line.bytes()
                        + " bytes, more than --max-line-bytes="
                        + maxBytes
                        + " (it was skipped without being read into memory)");
    }

    /**
     * The top-level "id" of a cut-off JSON object, if it comes before the cut; JSON null otherwise.
     */
    static JsonNode idFromPrefix(byte[] prefix, ObjectMapper json) {
        try (JsonParser p = json.getFactory().createParser(prefix)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return NullNode.instance;
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("id")) {
                    return v == JsonToken.VALUE_STRING || v.isNumeric()
                            ? json.readTree(p)
                            : NullNode.instance;
                }
                p.skipChildren();
            }
        } catch (java.io.IOException | RuntimeException e) {
            // cut inside a token, or not JSON: no id to echo
        }
        return NullNode.instance;
    }

    /**
     * Parses {"id":..., "text":...} or {"id":..., "input_ids":[...]}; text goes through the model's
     * tokenizer.
     */
    static InferLine parse(long lineNo, String line, ObjectMapper json, Encoder encoder) {
        return parse(lineNo, line, json, encoder, true);
    }

    /**
     * @param normalize tokenize {@link TextNormalization#forClassification} of the text, as the
     *     service does by default
     */
    static InferLine parse(
            long lineNo, String line, ObjectMapper json, Encoder encoder, boolean normalize) {
        if (line.isBlank()) return failed(lineNo, NullNode.instance, "empty line");
        JsonNode node;
        try {
            node = json.readTree(line);
        } catch (JsonProcessingException e) {
            return failed(lineNo, NullNode.instance, "not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject())
            return failed(
                    lineNo,
                    NullNode.instance,
                    "expected a JSON object with \"id\" and \"text\" or \"input_ids\"");
        JsonNode id = node.get("id");
        if (id == null || id.isNull() || !(id.isTextual() || id.isNumber())) {
            return failed(
                    lineNo,
                    id == null ? NullNode.instance : id,
                    "missing \"id\" (a string or a number)");
        }
        JsonNode ids = node.get("input_ids");
        JsonNode text = node.get("text");
        if (ids != null && !ids.isNull() && text != null && !text.isNull()) {
            return failed(lineNo, id, "has both \"text\" and \"input_ids\": send one of them");
        }
        if (ids != null && !ids.isNull()) {
            if (!ids.isArray())
                return failed(lineNo, id, "\"input_ids\" must be an array of token ids");
            if (ids.isEmpty()) return failed(lineNo, id, "\"input_ids\" is empty");
            int[] out = new int[ids.size()];
            for (int i = 0; i < out.length; i++) {
                JsonNode v = ids.get(i);
                if (!v.canConvertToInt() || !v.isIntegralNumber())
                    return failed(
                            lineNo,
                            id,
                            "\"input_ids\"[" + i + "] is not an integer token id: " + v);
                out[i] = v.intValue();
            }
            return new InferLine(lineNo, id, out, null);
        }
        if (text == null || text.isNull())
            return failed(lineNo, id, "missing \"text\" (or \"input_ids\")");
        if (!text.isTextual()) return failed(lineNo, id, "\"text\" must be a string");
        if (EmptyText.isEmpty(text.asText())) {
            return failed(
                    lineNo,
                    id,
                    "\"text\" is empty (only whitespace or invisible characters; the service dead-letters it as EMPTY_TEXT)");
        }
        try {
            String read =
                    normalize ? TextNormalization.forClassification(text.asText()) : text.asText();
            return new InferLine(lineNo, id, encoder.tokenize(read), null);
        } catch (
                IllegalArgumentException
                        e) { // InputRejectedException: too long under the reject policy
            return failed(lineNo, id, e.getMessage());
        } catch (
                TokenizerMismatchException
                        e) { // the model's own tokenizer is wrong: say so on every such line
            return failed(lineNo, id, e.getMessage());
        }
    }
}
