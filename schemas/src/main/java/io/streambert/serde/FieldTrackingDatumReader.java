package io.streambert.serde;

import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.io.ResolvingDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * A {@link SpecificDatumReader} that says in which field a read failed: every failure inside a
 * field comes out as a {@link FieldFailure} carrying the field path from the record down ({@code
 * attributes}, {@code timings.total_ms}), with the original exception as its cause. Failures
 * outside every field (skipping a writer-only field, the record framing) come out unchanged.
 */
final class FieldTrackingDatumReader<T> extends SpecificDatumReader<T> {
    FieldTrackingDatumReader(Schema writer, Schema reader, SpecificData model) {
        super(writer, reader, model);
    }

    @Override
    protected void readField(
            Object r, Schema.Field f, Object oldDatum, ResolvingDecoder in, Object state)
            throws IOException {
        try {
            super.readField(r, f, oldDatum, in, state);
        } catch (FieldFailure inner) {
            throw new FieldFailure(f.name() + "." + inner.path, inner.getCause());
        } catch (IOException | RuntimeException e) {
            throw new FieldFailure(f.name(), e);
        }
    }

    /** A read that failed inside field {@link #path}; the cause is what went wrong. */
    static final class FieldFailure extends IOException {
        final String path;

        FieldFailure(String path, Throwable cause) {
            super("in field " + path + ": " + cause.getMessage(), cause);
            this.path = path;
        }
    }
}
