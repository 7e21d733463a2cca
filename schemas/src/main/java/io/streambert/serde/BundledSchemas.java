package io.streambert.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

/**
 * The Avro schemas that travel inside the jar: the current one of each record (generated class) and
 * every released version under {@code avro-history/<Name>/v<N>.avsc}. The registry-free decoder
 * needs the old versions because the single-object encoding names the writer schema only by its
 * fingerprint: data written by an older release decodes only if that release's schema is known
 * here.
 */
public final class BundledSchemas {
    private static final String HISTORY_ROOT = "avro-history/";

    /** The records this module defines (their current classes are generated from src/main/avro). */
    public static final List<String> RECORD_NAMES =
            List.of("TextEvent", "ModerationEvent", "EmbeddingEvent", "DeadLetter");

    private BundledSchemas() {}

    /**
     * The current schema of {@code simpleName} as written in src/main/avro (bundled under {@code
     * avro/}). Unlike the generated class's schema it carries no {@code avro.java.string}
     * properties, so it is what we publish to a registry and compare with the history; both have
     * the same fingerprint and write the same bytes.
     */
    public static Schema current(String simpleName) {
        String path = "avro/" + simpleName + ".avsc";
        try (InputStream in = BundledSchemas.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(
                        "bundled schema " + path + " missing from the classpath");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled schema " + path, e);
        }
    }

    /**
     * Released versions of the record named {@code simpleName}, oldest first (v1, v2, ... until one
     * is missing).
     */
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

    /**
     * Which bundled record (any released version) has this single-object fingerprint, for error
     * messages that can say "these are ModerationEvent bytes" instead of only "unknown
     * fingerprint".
     */
    public static Optional<String> recordWithFingerprint(long fingerprint) {
        for (String name : RECORD_NAMES) {
            List<Schema> versions = history(name);
            for (int i = 0; i < versions.size(); i++) {
                if (SchemaNormalization.parsingFingerprint64(versions.get(i)) == fingerprint) {
                    return Optional.of(name + " v" + (i + 1));
                }
            }
        }
        return Optional.empty();
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
