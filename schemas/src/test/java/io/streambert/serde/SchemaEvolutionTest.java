package io.streambert.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.schemas.TextEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/**
 * The evolution rules of docs/SCHEMAS.md, checked: every released version is kept, the current
 * schema IS the latest release, and each version can read data of every earlier one (backward) and
 * be read by it (forward).
 */
class SchemaEvolutionTest {
    /**
     * The .avsc files as written (the generated classes' schemas add Java-only string properties).
     */
    private static final Map<String, Schema> CURRENT =
            Map.of(
                    "TextEvent", BundledSchemas.current("TextEvent"),
                    "ModerationEvent", BundledSchemas.current("ModerationEvent"),
                    "EmbeddingEvent", BundledSchemas.current("EmbeddingEvent"),
                    "DeadLetter", BundledSchemas.current("DeadLetter"));

    /**
     * Readable text of why {@code reader} cannot read {@code writer}'s data, or null when it can.
     */
    static String incompatibility(Schema reader, Schema writer) {
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return null;
        }
        return result.getResult().getIncompatibilities().toString();
    }

    @Test
    void everyRecordHasItsHistoryAndTheCurrentSchemaIsTheLatestRelease() {
        assertEquals(CURRENT.keySet(), Set.copyOf(BundledSchemas.RECORD_NAMES));
        for (String name : BundledSchemas.RECORD_NAMES) {
            List<Schema> history = BundledSchemas.history(name);
            assertFalse(history.isEmpty(), name + " has no avro-history/" + name + "/v1.avsc");
            assertEquals(
                    history.getLast(),
                    CURRENT.get(name),
                    name
                            + ": src/main/avro/"
                            + name
                            + ".avsc differs from"
                            + " avro-history/"
                            + name
                            + "/v"
                            + history.size()
                            + ".avsc; a changed schema is a new version:"
                            + " copy it to v"
                            + (history.size() + 1)
                            + ".avsc");
        }
    }

    @Test
    void theGeneratedClassesAreBuiltFromTheseSchemas() {
        assertEquals(
                SchemaNormalization.parsingFingerprint64(TextEvent.getClassSchema()),
                SchemaNormalization.parsingFingerprint64(CURRENT.get("TextEvent")));
        assertEquals(
                SchemaNormalization.parsingFingerprint64(ModerationEvent.getClassSchema()),
                SchemaNormalization.parsingFingerprint64(CURRENT.get("ModerationEvent")));
        assertEquals(
                SchemaNormalization.parsingFingerprint64(EmbeddingEvent.getClassSchema()),
                SchemaNormalization.parsingFingerprint64(CURRENT.get("EmbeddingEvent")));
        assertEquals(
                SchemaNormalization.parsingFingerprint64(DeadLetter.getClassSchema()),
                SchemaNormalization.parsingFingerprint64(CURRENT.get("DeadLetter")));
    }

    @Test
    void atLeastOneRecordHasEvolvedSoTheChecksBelowCompareDifferentSchemas() {
        assertTrue(BundledSchemas.history("ModerationEvent").size() >= 2);
        assertTrue(
                !BundledSchemas.history("ModerationEvent")
                        .get(0)
                        .equals(CURRENT.get("ModerationEvent")));
    }

    @Test
    void everyVersionReadsEveryEarlierVersionAndViceVersa() {
        for (String name : BundledSchemas.RECORD_NAMES) {
            List<Schema> h = BundledSchemas.history(name);
            for (int newer = 0; newer < h.size(); newer++) {
                for (int older = 0; older < newer; older++) {
                    String where = name + " v" + (newer + 1) + " vs v" + (older + 1) + ": ";
                    String backward = incompatibility(h.get(newer), h.get(older));
                    assertEquals(
                            null,
                            backward,
                            where + "newer reader cannot read older data: " + backward);
                    String forward = incompatibility(h.get(older), h.get(newer));
                    assertEquals(
                            null,
                            forward,
                            where + "older reader cannot read newer data: " + forward);
                }
            }
        }
    }

    @Test
    void singleObjectDataOfEveryReleasedVersionDecodesWithTheBundledStore() throws Exception {
        EventSerdes serdes = EventSerdes.registryFree();
        check(serdes.textEvents(), "TextEvent", Samples.text());
        check(serdes.moderationEvents(), "ModerationEvent", Samples.moderation());
        check(serdes.embeddingEvents(), "EmbeddingEvent", Samples.embedding());
        check(serdes.deadLetters(), "DeadLetter", Samples.deadLetter());
    }

    private static <T extends SpecificRecord> void check(Serde<T> serde, String name, T full)
            throws Exception {
        for (Schema old : BundledSchemas.history(name)) {
            byte[] body = AvroTestWriter.write(old, full);
            byte[] bytes =
                    ByteBuffer.allocate(10 + body.length)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .put((byte) 0xC3)
                            .put((byte) 0x01)
                            .putLong(SchemaNormalization.parsingFingerprint64(old))
                            .put(body)
                            .array();
            T back = serde.deserializer().deserialize("t", bytes);
            for (Schema.Field f : full.getSchema().getFields()) {
                Object expected =
                        old.getField(f.name()) != null
                                ? full.get(f.pos())
                                : ((org.apache.avro.specific.SpecificData)
                                                org.apache.avro.specific.SpecificData.getForSchema(
                                                        full.getSchema()))
                                        .getDefaultValue(f);
                assertEquals(
                        expected,
                        back.get(f.pos()),
                        name + " written with " + old.getFullName() + " field " + f.name());
            }
        }
    }

    // ----------------------------------------------------------- the check must catch incompatible
    // changes

    private static Schema modified(Schema base, String from, String to) {
        String json = base.toString();
        assertTrue(json.contains(from), "test setup: " + from + " not in schema");
        return new Schema.Parser().parse(json.replace(from, to));
    }

    @Test
    void addingAFieldWithoutDefaultIsDetected() {
        Schema v1 = CURRENT.get("TextEvent");
        Schema bad =
                modified(
                        v1,
                        "{\"name\":\"text\",\"type\":\"string\"}",
                        "{\"name\":\"text\",\"type\":\"string\"},{\"name\":\"lang\",\"type\":\"string\"}");
        String why = incompatibility(bad, v1);
        assertTrue(why != null && why.contains("lang"), String.valueOf(why));
        Schema good =
                modified(
                        v1,
                        "{\"name\":\"text\",\"type\":\"string\"}",
                        "{\"name\":\"text\",\"type\":\"string\"},{\"name\":\"lang\",\"type\":\"string\",\"default\":\"und\"}");
        assertEquals(null, incompatibility(good, v1));
    }

    @Test
    void changingATypeIsDetectedButPromotionsAreAllowed() {
        Schema v1 = CURRENT.get("EmbeddingEvent");
        Schema intDim =
                modified(
                        v1,
                        "{\"name\":\"dim\",\"type\":\"int\"}",
                        "{\"name\":\"dim\",\"type\":\"string\"}");
        assertTrue(incompatibility(intDim, v1) != null);
        Schema longDim =
                modified(
                        v1,
                        "{\"name\":\"dim\",\"type\":\"int\"}",
                        "{\"name\":\"dim\",\"type\":\"long\"}");
        assertEquals(
                null,
                incompatibility(longDim, v1),
                "int -> long is an allowed promotion for readers");
        assertTrue(
                incompatibility(v1, longDim) != null,
                "but not forward: old readers cannot read long");
    }

    @Test
    void renamingIsDetectedUnlessTheOldNameIsAnAlias() {
        Schema v1 = CURRENT.get("DeadLetter");
        Schema renamed = modified(v1, "\"name\":\"error_message\"", "\"name\":\"reason\"");
        assertTrue(incompatibility(renamed, v1) != null);
        Schema aliased =
                modified(
                        v1,
                        "\"name\":\"error_message\"",
                        "\"name\":\"reason\",\"aliases\":[\"error_message\"]");
        assertEquals(null, incompatibility(aliased, v1));
    }

    @Test
    void removingARequiredFieldBreaksOldReaders() {
        Schema v1 = CURRENT.get("ModerationEvent");
        Schema removed = modified(v1, ",{\"name\":\"tokens\",\"type\":\"int\"}", "");
        assertEquals(null, incompatibility(removed, v1), "new readers simply skip it");
        assertTrue(
                incompatibility(v1, removed) != null, "old readers need it and it has no default");
    }
}
