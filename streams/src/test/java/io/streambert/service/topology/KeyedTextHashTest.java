package io.streambert.service.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.streambert.schemas.EmbeddingEvent;
import io.streambert.service.testing.TestEncoder;
import io.streambert.service.testing.TopologyHarness;
import io.streambert.service.validate.TextHasher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With text.hash.key set, text_sha256 is HMAC-SHA256 under that key: a dictionary of plain hashes
 * does not match it.
 */
class KeyedTextHashTest {
    @TempDir Path state;

    @Test
    void textSha256IsKeyedWhenTextHashKeyIsSet() throws Exception {
        var config = TopologyHarness.config().set("text.hash.key", "k3y").build();
        try (var h = new TopologyHarness(config, new TestEncoder(), state)) {
            h.send("k", "id-1", "yes");
            List<TestRecord<byte[], EmbeddingEvent>> emb =
                    h.embedding("embedding").readRecordsToList();
            assertEquals(1, emb.size());
            byte[] text = "yes".getBytes(StandardCharsets.UTF_8);
            assertEquals(TextHasher.keyed("k3y").hex(text), emb.get(0).value().getTextSha256());
            assertNotEquals(TextHasher.unkeyed().hex(text), emb.get(0).value().getTextSha256());
        }
    }
}
