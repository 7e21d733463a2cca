package io.streambert.serde;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.schemas.TextEvent;
import io.streambert.serde.registry.RegistryUnavailableException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded random mutations of valid values in all three encodings (Avro single-object, JSON,
 * Confluent wire against a fake registry), fed to the decoders. Each must decode, or fail with one
 * of the documented exceptions: {@link RejectedFieldException} whose message names a field of the
 * record or a part of the envelope, or one of the two "not the record's fault" exceptions. Nothing
 * else: no OutOfMemoryError, no StackOverflowError, no IllegalArgumentException from deep inside a
 * library, and no decode allocating far more than the value's size.
 *
 * <p>{@code -Dfuzz.seed=N -Dfuzz.iterations=M} reruns or widens it; a failure prints the seed and
 * the bytes.
 */
class DecoderFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", 20261205L);

    /**
     * Mutations per (record type, encoding): TextEvent, the service's input, gets four times as
     * many (12,000 in all by default), the output events half as many.
     */
    private static final int PER_CASE = Integer.getInteger("fuzz.iterations", 1000);

    /**
     * A decode may allocate its working set, never anything proportional to a length read from
     * garbage.
     */
    private static final long MAX_ALLOCATION_BYTES = 32L << 20;

    private static FakeSchemaRegistry registry;
    private static EventSerdes writerAvro;
    private static EventSerdes writerJson;
    private static EventSerdes writerConfluent;
    private static EventSerdes reader;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @BeforeAll
    static void start() throws Exception {
        registry = new FakeSchemaRegistry();
        writerAvro = EventSerdes.registryFree();
        writerJson = EventSerdes.json();
        writerConfluent = EventSerdes.confluent(registry.url(), Map.of());
        reader = EventSerdes.forFormat("avro", Map.of("schema.registry.url", registry.url()));
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void textEventDecodersSurviveMutations() {
        long n =
                fuzz(
                        TextEvent.getClassSchema(),
                        EventSerdes::textEvents,
                        List.of(Samples.text(), Samples.minimalText()),
                        4 * PER_CASE,
                        SEED);
        assertTrue(n >= 4L * PER_CASE * 3, "ran " + n);
    }

    @Test
    void outputEventDecodersSurviveMutations() {
        long n =
                fuzz(
                        ModerationEvent.getClassSchema(),
                        EventSerdes::moderationEvents,
                        List.of(Samples.moderation()),
                        PER_CASE / 2,
                        SEED + 1);
        n +=
                fuzz(
                        EmbeddingEvent.getClassSchema(),
                        EventSerdes::embeddingEvents,
                        List.of(Samples.embedding()),
                        PER_CASE / 2,
                        SEED + 2);
        n +=
                fuzz(
                        DeadLetter.getClassSchema(),
                        EventSerdes::deadLetters,
                        List.of(Samples.deadLetter()),
                        PER_CASE / 2,
                        SEED + 3);
        assertTrue(n >= 3L * (PER_CASE / 2) * 3, "ran " + n);
    }

    /**
     * Runs {@code perEncoding} mutations of each sample in each encoding; returns how many values
     * were decoded.
     */
    private static <T extends SpecificRecord> long fuzz(
            Schema schema,
            Function<EventSerdes, org.apache.kafka.common.serialization.Serde<T>> serdeOf,
            List<T> samples,
            int perEncoding,
            long seed) {
        Set<String> fields =
                schema.getFields().stream()
                        .map(f -> schema.getName() + "." + f.name())
                        .collect(Collectors.toCollection(java.util.HashSet::new));
        if (schema.getName().equals("EmbeddingEvent")) {
            fields.add("EmbeddingEvent.payload"); // the JSON layout's (Qdrant's) object around the
            // other fields
        }
        Deserializer<T> deserializer = serdeOf.apply(reader).deserializer();
        List<byte[]> valid = new ArrayList<>();
        for (T sample : samples) {
            valid.add(serdeOf.apply(writerAvro).serializer().serialize("t", sample));
            valid.add(serdeOf.apply(writerJson).serializer().serialize("t", sample));
            valid.add(serdeOf.apply(writerConfluent).serializer().serialize("t", sample));
        }
        Random random = new Random(seed);
        long runs = 0;
        long decoded = 0;
        for (int round = 0; round < perEncoding * 3; round++) {
            byte[] original = valid.get(round % valid.size());
            long caseSeed = random.nextLong();
            byte[] bytes = Mutator.mutate(original, new Random(caseSeed));
            runs++;
            long before = THREADS.getCurrentThreadAllocatedBytes();
            try {
                if (deserializer.deserialize("t", bytes) != null) {
                    decoded++;
                }
            } catch (RejectedFieldException e) {
                String field = e.field();
                boolean known =
                        Set.of(
                                                RejectedFieldException.VALUE,
                                                RejectedFieldException.HEADER,
                                                RejectedFieldException.MAGIC,
                                                RejectedFieldException.FINGERPRINT,
                                                RejectedFieldException.SCHEMA_ID,
                                                RejectedFieldException.BODY)
                                        .contains(field)
                                || fields.stream()
                                        .anyMatch(
                                                f ->
                                                        field.equals(f)
                                                                || field.startsWith(f + ".")
                                                                || field.startsWith(f + "["));
                if (!known || !e.getMessage().contains(field)) {
                    fail(
                            report(
                                    caseSeed,
                                    bytes,
                                    "rejection does not name a field of "
                                            + schema.getName()
                                            + ": field="
                                            + field
                                            + " message="
                                            + e.getMessage()),
                            e);
                }
            } catch (UnknownFingerprintException | RegistryUnavailableException e) {
                // documented: not the record's fault (a mutated fingerprint; the fake registry
                // never fails)
                if (e instanceof RegistryUnavailableException) {
                    fail(
                            report(
                                    caseSeed,
                                    bytes,
                                    "the fake registry is up, yet: " + e.getMessage()),
                            e);
                }
            } catch (Throwable t) {
                fail(report(caseSeed, bytes, "undocumented " + t), t);
            }
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            if (allocated > MAX_ALLOCATION_BYTES) {
                fail(report(caseSeed, bytes, "decode allocated " + allocated + " bytes"));
            }
        }
        assertTrue(
                decoded > 0 && decoded < runs,
                "mutations should both pass and fail sometimes: "
                        + decoded
                        + " of "
                        + runs
                        + " decoded");
        return runs;
    }

    private static String report(long caseSeed, byte[] bytes, String what) {
        return what
                + "\n  case seed "
                + caseSeed
                + " (suite seed "
                + SEED
                + "), "
                + bytes.length
                + " bytes: "
                + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 256));
    }

    /**
     * Byte-level mutations that reach the decoders' corners: lengths, varints, UTF-8, JSON escapes,
     * truncation.
     */
    static final class Mutator {
        private static final byte[][] TOKENS = {
            "\\ud800".getBytes(StandardCharsets.US_ASCII),
            "\\udc00\\ud800".getBytes(StandardCharsets.US_ASCII),
            "null".getBytes(StandardCharsets.US_ASCII),
            "[".getBytes(StandardCharsets.US_ASCII),
            "{".getBytes(StandardCharsets.US_ASCII),
            "\"".getBytes(StandardCharsets.US_ASCII),
            "1e999".getBytes(StandardCharsets.US_ASCII),
            "-0".getBytes(StandardCharsets.US_ASCII),
            "99999999999999999999".getBytes(StandardCharsets.US_ASCII),
            ",".getBytes(StandardCharsets.US_ASCII),
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xC0, (byte) 0x80},
            {(byte) 0xFF},
            {
                (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F
            }, // varint 2^31 - 1 (zig-zag: -2^31)
            {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}, // varint: length ~2 billion
            {
                (byte) 0x80,
                (byte) 0x80,
                (byte) 0x80,
                (byte) 0x80,
                (byte) 0x80,
                (byte) 0x80,
                (byte) 0x80,
                (byte) 0x80,
                (byte) 0x80,
                (byte) 0x80,
                0x01
            }, // an over-long varint
            {0x01},
            {0x02},
            {0x03},
            {0x7F},
        };

        static byte[] mutate(byte[] in, Random r) {
            byte[] b = in.clone();
            int steps = 1 + r.nextInt(r.nextInt(8) == 0 ? 8 : 3);
            for (int s = 0; s < steps; s++) {
                b = step(b, r);
            }
            return b;
        }

        private static byte[] step(byte[] b, Random r) {
            if (b.length == 0) {
                return new byte[] {(byte) r.nextInt(256)};
            }
            int at = r.nextInt(b.length);
            switch (r.nextInt(9)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[at] = (byte) r.nextInt(256);
                case 2 -> {
                    return java.util.Arrays.copyOf(b, at); // truncate
                }
                case 3 -> { // delete a range
                    int len = 1 + r.nextInt(Math.min(16, b.length - at));
                    return concat(
                            java.util.Arrays.copyOfRange(b, 0, at),
                            java.util.Arrays.copyOfRange(b, at + len, b.length));
                }
                case 4 -> { // duplicate a range
                    int len = 1 + r.nextInt(Math.min(32, b.length - at));
                    byte[] range = java.util.Arrays.copyOfRange(b, at, at + len);
                    return concat(
                            java.util.Arrays.copyOfRange(b, 0, at + len),
                            range,
                            java.util.Arrays.copyOfRange(b, at + len, b.length));
                }
                case 5, 6 -> { // insert or overwrite with a token
                    byte[] token = TOKENS[r.nextInt(TOKENS.length)];
                    if (r.nextBoolean()) {
                        return concat(
                                java.util.Arrays.copyOfRange(b, 0, at),
                                token,
                                java.util.Arrays.copyOfRange(b, at, b.length));
                    }
                    for (int i = 0; i < token.length && at + i < b.length; i++) {
                        b[at + i] = token[i];
                    }
                }
                case 7 -> { // random bytes inserted
                    byte[] junk = new byte[1 + r.nextInt(8)];
                    r.nextBytes(junk);
                    return concat(
                            java.util.Arrays.copyOfRange(b, 0, at),
                            junk,
                            java.util.Arrays.copyOfRange(b, at, b.length));
                }
                default -> b[at] = (byte) (b[at] + (r.nextBoolean() ? 1 : -1));
            }
            return b;
        }

        private static byte[] concat(byte[]... parts) {
            int n = 0;
            for (byte[] p : parts) {
                n += p.length;
            }
            byte[] out = new byte[n];
            int o = 0;
            for (byte[] p : parts) {
                System.arraycopy(p, 0, out, o, p.length);
                o += p.length;
            }
            return out;
        }
    }
}
