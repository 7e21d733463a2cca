package io.streambert.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;

/**
 * The Avro schemas that travel inside the jar: the current one of each record (generated class) and every released
 * version under {@code avro-history/<Name>/v<N>.avsc}. The registry-free decoder needs the old versions because the
 * single-object encoding names the writer schema only by its fingerprint: data written by an older release decodes
 * only if that release's schema is known here.
 */
public final class BundledSchemas {
    private static final String HISTORY_ROOT = "avro-history/";

    private BundledSchemas() {}

    /** Released versions of the record named {@code simpleName}, oldest first (v1, v2, ... until one is missing). */
    public static List<Schema> history(String simpleName) {
        List<Schema> versions = new ArrayList<>();
        for (int v = 1; ; v++) {
            String path = HISTORY_ROOT + simpleName + "/v" + v + ".avsc";
            try (InputStream in = BundledSchemas.class.getClassLoader().getResourceAsStream(path)) {
                if (in == null) {
                    return versions;
                }
                versions.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read bundled schema " + path, e);
            }
        }
    }

    /** A store with every released version of {@code current} plus {@code current} itself. */
    public static SchemaStore.Cache storeFor(Schema current) {
        SchemaStore.Cache store = new SchemaStore.Cache();
        store.addSchema(current);
        for (Schema old : history(current.getName())) {
            store.addSchema(old);
        }
        return store;
    }
}
