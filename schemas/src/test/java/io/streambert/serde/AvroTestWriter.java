package io.streambert.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;

/**
 * Writes a record's Avro binary body with an OLD writer schema, as a producer of an earlier release
 * would.
 */
final class AvroTestWriter {
    private AvroTestWriter() {}

    /**
     * Copies the fields {@code writer} knows from {@code record} (by name) and writes them with
     * {@code writer}.
     */
    static byte[] write(Schema writer, SpecificRecord record) throws IOException {
        GenericRecord old = new GenericData.Record(writer);
        for (Schema.Field f : writer.getFields()) {
            Object v = record.get(record.getSchema().getField(f.name()).pos());
            if (v instanceof java.time.Instant t) {
                v = t.toEpochMilli(); // the generic writer has no timestamp conversion registered
            }
            old.put(f.name(), v);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(writer).write(old, enc);
        enc.flush();
        return out.toByteArray();
    }
}
