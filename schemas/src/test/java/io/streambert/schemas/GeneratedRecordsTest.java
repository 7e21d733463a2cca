package io.streambert.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GeneratedRecordsTest {
    @Test
    void textEventRoundTripsThroughAvroBinary() throws Exception {
        TextEvent e =
                TextEvent.newBuilder()
                        .setId("a1")
                        .setText("héllo 🤖")
                        .setAttributes(Map.of("k", "v"))
                        .build();
        TextEvent back = TextEvent.fromByteBuffer(e.toByteBuffer());
        assertEquals(e, back);
        assertEquals("héllo 🤖", back.getText());
    }
}
