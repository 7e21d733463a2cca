package io.streambert.serde;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * BoundedDecoder rejects an array block count larger than the bytes left, which is only sound when
 * every array item takes at least one byte. This holds the bundled schemas (all versions) to that,
 * so a future schema with, say, an array of null or of empty records fails here instead of having
 * valid data rejected as corrupt.
 */
class SchemaBoundsTest {
    @Test
    void noArrayInAnyBundledSchemaHasItemsThatCanEncodeToZeroBytes() {
        List<String> offenders = new ArrayList<>();
        for (String name : BundledSchemas.RECORD_NAMES) {
            List<Schema> all = new ArrayList<>(BundledSchemas.history(name));
            all.add(BundledSchemas.current(name));
            for (Schema s : all) {
                collectZeroByteArrays(s, name, new HashSet<>(), offenders);
            }
        }
        assertTrue(offenders.isEmpty(), "arrays whose items may be 0 bytes: " + offenders);
    }

    @Test
    void theCheckNoticesAnArrayOfNull() {
        Schema s =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"a\","
                                        + "\"type\":{\"type\":\"array\",\"items\":\"null\"}}]}");
        List<String> offenders = new ArrayList<>();
        collectZeroByteArrays(s, "X", new HashSet<>(), offenders);
        assertTrue(offenders.equals(List.of("X.a")), offenders.toString());
    }

    private static void collectZeroByteArrays(
            Schema s, String path, Set<String> seen, List<String> out) {
        switch (s.getType()) {
            case RECORD -> {
                if (!seen.add(s.getFullName())) {
                    return;
                }
                for (Schema.Field f : s.getFields()) {
                    collectZeroByteArrays(f.schema(), path + "." + f.name(), seen, out);
                }
            }
            case ARRAY -> {
                if (minBytes(s.getElementType(), new HashSet<>()) == 0) {
                    out.add(path);
                }
                collectZeroByteArrays(s.getElementType(), path + "[]", seen, out);
            }
            case MAP -> collectZeroByteArrays(s.getValueType(), path + "{}", seen, out);
            case UNION -> s.getTypes().forEach(t -> collectZeroByteArrays(t, path, seen, out));
            default -> {}
        }
    }

    /** The fewest bytes a value of {@code s} can take in Avro binary. */
    private static int minBytes(Schema s, Set<String> seen) {
        return switch (s.getType()) {
            case NULL -> 0;
            case FIXED -> s.getFixedSize();
            case RECORD -> {
                if (!seen.add(s.getFullName())) {
                    yield 1; // recursive records hold something
                }
                int sum = 0;
                for (Schema.Field f : s.getFields()) {
                    sum += minBytes(f.schema(), seen);
                }
                yield sum;
            }
            case FLOAT -> 4;
            case DOUBLE -> 8;
            default -> 1; // boolean, int/long varints, lengths, counts, union index, enum index
        };
    }
}
