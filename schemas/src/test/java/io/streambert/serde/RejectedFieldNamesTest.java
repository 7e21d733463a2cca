package io.streambert.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.schemas.TextEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each kind of rejection names the field (or envelope part) at fault, in the exception and in its
 * message.
 */
class RejectedFieldNamesTest {
    private final Deserializer<TextEvent> json = EventSerdes.json().textEvents().deserializer();
    private final EventSerdes avro = EventSerdes.registryFree();

    private RejectedFieldException reject(byte[] bytes) {
        return assertThrows(RejectedFieldException.class, () -> json.deserialize("t", bytes));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"id\": \"a\\ud800\", \"text\": \"x\"}|TextEvent.id",
                "{\"id\": \"a\", \"text\": \"i\\udc00diot\"}|TextEvent.text",
                "{\"id\": \"a\", \"text\": \"x\", \"tenant\": \"\\ud83d\"}|TextEvent.tenant",
                "{\"id\": \"a\", \"text\": \"x\", \"attributes\": {\"k\\ud800\": \"v\"}}|TextEvent.attributes.k\ud800",
                "{\"id\": \"a\", \"text\": \"x\", \"attributes\": {\"k\": \"v\\udfff\"}}|TextEvent.attributes.k"
            })
    void escapedLoneSurrogatesAreRejectedNamingTheField(String value, String field) {
        RejectedFieldException e = reject(utf8(value));
        assertEquals(field, e.field());
        assertTrue(e.getMessage().contains("unpaired surrogate"), e.getMessage());
    }

    @Test
    void aSurrogatePairIsFine() {
        assertEquals(
                "🤖",
                json.deserialize("t", utf8("{\"id\": \"a\", \"text\": \"\\ud83e\\udd16\"}"))
                        .getText());
    }

    @Test
    void invalidUtf8InsideAJsonStringNamesItsField() {
        byte[] bytes = utf8("{\"id\": \"a\", \"text\": \"abXcd\"}");
        bytes[new String(bytes, StandardCharsets.ISO_8859_1).indexOf('X')] = (byte) 0xFF;
        RejectedFieldException e = reject(bytes);
        assertEquals("TextEvent.text", e.field());
        assertTrue(e.getMessage().contains("invalid UTF-8 at byte offset"), e.getMessage());
    }

    @Test
    void aJsonSyntaxErrorNamesTheFieldItIsIn() {
        RejectedFieldException e =
                reject(utf8("{\"id\": \"a\", \"text\": \"x\", \"attributes\": {\"k\": tru}}"));
        assertTrue(e.field().startsWith("TextEvent.attributes"), e.field());
        RejectedFieldException top = reject(utf8("{\"id\": \"a\" \"text\": \"x\"}"));
        assertTrue(top.getMessage().contains(top.field()), top.getMessage());
    }

    @Test
    void aWrongJsonTypeNamesTheField() {
        assertEquals("TextEvent.id", reject(utf8("{\"id\": 1, \"text\": \"x\"}")).field());
    }

    @Test
    void aCorruptAvroStringNamesItsField() throws Exception {
        byte[] header =
                Arrays.copyOf(
                        avro.textEvents().serializer().serialize("t", Samples.minimalText()), 10);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(body, null);
        enc.writeString("id-1");
        enc.writeLong(2_000_000_000L); // text length: far beyond the value
        enc.flush();
        byte[] bytes = new byte[10 + body.size()];
        System.arraycopy(header, 0, bytes, 0, 10);
        System.arraycopy(body.toByteArray(), 0, bytes, 10, body.size());
        RejectedFieldException e =
                assertThrows(
                        RejectedFieldException.class,
                        () -> avro.textEvents().deserializer().deserialize("t", bytes));
        assertEquals("TextEvent.text", e.field());
        assertTrue(e.getMessage().contains("in field TextEvent.text"), e.getMessage());
    }

    @Test
    void envelopeFailuresNameTheHeaderPart() {
        byte[] ok = avro.textEvents().serializer().serialize("t", Samples.minimalText());
        assertEquals(
                "header",
                assertThrows(
                                RejectedFieldException.class,
                                () ->
                                        avro.textEvents()
                                                .deserializer()
                                                .deserialize("t", Arrays.copyOf(ok, 6)))
                        .field());
        assertEquals(
                "body",
                assertThrows(
                                RejectedFieldException.class,
                                () ->
                                        avro.textEvents()
                                                .deserializer()
                                                .deserialize("t", Arrays.copyOf(ok, ok.length + 1)))
                        .field());
        byte[] moderation =
                avro.moderationEvents().serializer().serialize("t", Samples.moderation());
        assertEquals(
                "header.fingerprint",
                assertThrows(
                                RejectedFieldException.class,
                                () -> avro.textEvents().deserializer().deserialize("t", moderation))
                        .field());
        assertEquals(
                "header.schema_id",
                assertThrows(
                                RejectedFieldException.class,
                                () ->
                                        avro.textEvents()
                                                .deserializer()
                                                .deserialize("t", new byte[] {0, 0, 0, 0, 7, 1}))
                        .field());
        assertEquals(
                "value",
                assertThrows(
                                RejectedFieldException.class,
                                () ->
                                        avro.textEvents()
                                                .deserializer()
                                                .deserialize("t", utf8("plain text")))
                        .field());
    }
}
