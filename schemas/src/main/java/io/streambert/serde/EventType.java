package io.streambert.serde;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * One of the generated record classes with what every codec needs of it: its current (reader)
 * schema and the SpecificData model that carries its logical-type conversions (timestamp-millis as
 * Instant); and the schema as published to registries ({@link BundledSchemas#current}, without the
 * generator's Java-only properties).
 */
public record EventType<T extends SpecificRecord>(
        Class<T> type, Schema schema, Schema published, SpecificData model) {

    public static <T extends SpecificRecord> EventType<T> of(Class<T> type) {
        Schema schema = SpecificData.get().getSchema(type);
        return new EventType<>(
                type,
                schema,
                BundledSchemas.current(schema.getName()),
                SpecificData.getForSchema(schema));
    }

    /** The record's simple name, as used in error messages and in the schema history folder. */
    public String name() {
        return schema.getName();
    }
}
