package io.streambert.serde.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streambert.schemas.EmbeddingEvent;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Embedding events as vector-store sinks take them (Qdrant's and Milvus's Kafka connectors): {@code
 * {"id": ..., "vector": [...], "payload": {...}}}. The payload holds the event's attributes
 * flattened, then every other field (model, model_revision, dim, normalized, text_sha256, tenant,
 * event_time) under its own name. Those field names are reserved in the payload: an attribute with
 * the same name is shadowed by the field (it survives in Avro, not in this JSON). Reading reverses
 * this: reserved names become fields, the rest attributes. Qdrant's connector also wants {@code
 * "collection_name"} in every message: given a collection, it is written first (and ignored on
 * reading).
 */
public final class EmbeddingJsonLayout implements JsonLayout<EmbeddingEvent> {
    private static final String ID = "id";
    private static final String VECTOR = "vector";
    private static final String PAYLOAD = "payload";
    private static final String ATTRIBUTES = "attributes";
    private static final String COLLECTION = "collection_name";

    private final Schema schema = EmbeddingEvent.getClassSchema();
    private final String collection; // null: no collection_name

    /**
     * @param collection written as "collection_name" when not null (Qdrant's sink needs it)
     */
    public EmbeddingJsonLayout(String collection) {
        this.collection = collection == null || collection.isBlank() ? null : collection;
    }

    @Override
    public ObjectNode toJson(EmbeddingEvent event) {
        ObjectNode flat = PlainJson.toJson(event);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (collection != null) {
            out.put(COLLECTION, collection);
        }
        out.set(ID, flat.get(ID));
        out.set(VECTOR, flat.get(VECTOR));
        ObjectNode payload = out.putObject(PAYLOAD);
        payload.setAll((ObjectNode) flat.get(ATTRIBUTES));
        for (Schema.Field f : schema.getFields()) {
            if (isPayloadField(f.name())) {
                payload.set(f.name(), flat.get(f.name()));
            }
        }
        return out;
    }

    @Override
    public EmbeddingEvent fromJson(ObjectNode node) {
        ObjectNode flat = JsonNodeFactory.instance.objectNode();
        if (node.has(ID)) {
            flat.set(ID, node.get(ID));
        }
        if (node.has(VECTOR)) {
            flat.set(VECTOR, node.get(VECTOR));
        }
        JsonNode payload = node.get(PAYLOAD);
        if (payload == null || !payload.isObject()) {
            throw new JsonFieldException(
                    "EmbeddingEvent.payload",
                    payload == null
                            ? "is missing"
                            : "must be an object, got " + PlainJson.describe(payload));
        }
        ObjectNode attributes = flat.putObject(ATTRIBUTES);
        for (Map.Entry<String, JsonNode> e : payload.properties()) {
            Schema.Field f = schema.getField(e.getKey());
            if (f != null && isPayloadField(f.name())) {
                flat.set(f.name(), e.getValue());
            } else {
                attributes.set(e.getKey(), e.getValue());
            }
        }
        EmbeddingEvent event = PlainJson.fromJson(schema, flat);
        if (event.getDim() != event.getVector().size()) {
            throw new JsonFieldException(
                    "EmbeddingEvent.payload.dim",
                    "is "
                            + event.getDim()
                            + " but the vector has "
                            + event.getVector().size()
                            + " elements");
        }
        return event;
    }

    private static boolean isPayloadField(String name) {
        return !name.equals(ID) && !name.equals(VECTOR) && !name.equals(ATTRIBUTES);
    }
}
