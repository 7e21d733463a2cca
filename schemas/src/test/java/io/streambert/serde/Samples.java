package io.streambert.serde;

import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.schemas.TextEvent;
import io.streambert.schemas.Timings;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One fully populated event of each type (every optional field set), plus minimal variants. */
final class Samples {
    private Samples() {}

    static final Instant T0 = Instant.ofEpochMilli(1_760_000_000_123L);

    static TextEvent text() {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("lang", "de");
        attrs.put("channel", "chat #4");
        return TextEvent.newBuilder()
                .setId("evt-1")
                .setText("Grüße, 世界 🤖 \"quoted\"\n")
                .setTenant("acme")
                .setSource("app")
                .setEventTime(T0)
                .setAttributes(attrs)
                .build();
    }

    static TextEvent minimalText() {
        return TextEvent.newBuilder().setId("evt-2").setText("hi").build();
    }

    static ModerationEvent moderation() {
        Map<String, Float> scores = new LinkedHashMap<>();
        scores.put("safe", 0.125f);
        scores.put("toxic", 0.875f);
        return ModerationEvent.newBuilder()
                .setId("evt-1")
                .setLabel("toxic")
                .setScores(scores)
                .setFlagged(true)
                .setFlaggedLabels(List.of("toxic"))
                .setModel("tiny-modernbert")
                .setModelRevision("r1")
                .setTokens(12)
                .setTimings(
                        Timings.newBuilder()
                                .setQueuedMs(1.5)
                                .setInferenceMs(3.25)
                                .setBatchSequences(4)
                                .setBatchTokens(48)
                                .build())
                .setSourceTopic("texts")
                .setSourcePartition(2)
                .setSourceOffset(12345678901L)
                .setEventTime(T0)
                .setProcessedTime(T0.plusMillis(7))
                .setTenant("acme")
                .build();
    }

    static EmbeddingEvent embedding() {
        return EmbeddingEvent.newBuilder()
                .setId("evt-1")
                .setVector(List.of(0.1f, -2.5f, 3.0e-8f, 1.0f))
                .setDim(4)
                .setNormalized(false)
                .setModel("tiny-modernbert")
                .setModelRevision("r1")
                .setTextSha256("ab".repeat(32))
                .setAttributes(Map.of("lang", "de"))
                .setTenant("acme")
                .setEventTime(T0)
                .build();
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setKey(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setValue(ByteBuffer.wrap(new byte[] {(byte) 0xff, 0, 'x'}))
                .setTopic("texts")
                .setPartition(0)
                .setOffset(42L)
                .setErrorClass("UNDECODABLE")
                .setErrorMessage("bad bytes")
                .setTime(T0)
                .build();
    }
}
