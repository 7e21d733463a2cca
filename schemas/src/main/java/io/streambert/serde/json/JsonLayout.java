package io.streambert.serde.json;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/** How one record type is laid out as a JSON object. */
public interface JsonLayout<T extends SpecificRecord> {
    ObjectNode toJson(T record);

    /**
     * Reads a record from its JSON object.
     *
     * @throws JsonFieldException naming the field that is missing or has the wrong type
     */
    T fromJson(ObjectNode node);

    /**
     * The record's own fields as a plain JSON object (moderation events, dead letters, text
     * events).
     */
    static <T extends SpecificRecord> JsonLayout<T> plain(Schema schema) {
        return new JsonLayout<>() {
            @Override
            public ObjectNode toJson(T record) {
                return PlainJson.toJson(record);
            }

            @Override
            public T fromJson(ObjectNode node) {
                return PlainJson.fromJson(schema, node);
            }
        };
    }
}
