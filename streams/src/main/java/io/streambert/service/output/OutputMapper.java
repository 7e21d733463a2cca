package io.streambert.service.output;

import io.streambert.engine.ModelInfo;
import io.streambert.engine.Prediction;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.schemas.Timings;
import io.streambert.service.schedule.DeviceBatch;
import io.streambert.service.validate.ValidatedText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Turns one Prediction into the output events, echoing the input's id, position and attributes. */
public final class OutputMapper {
    private final ModelInfo model;
    private final ToDoubleFunction<String> threshold;

    /**
     * @param threshold flag threshold per label (ServiceConfig::threshold; +infinity = never flags)
     */
    public OutputMapper(ModelInfo model, ToDoubleFunction<String> threshold) {
        this.model = model;
        this.threshold = threshold;
    }

    public ModerationEvent moderation(
            ValidatedText t, Prediction p, DeviceBatch batch, long arrivalMs, long nowMs) {
        Map<String, Float> scores = new LinkedHashMap<>();
        List<String> flaggedLabels = new ArrayList<>();
        List<String> labels = model.labels();
        for (int i = 0; i < labels.size() && i < p.scores().length; i++) {
            scores.put(labels.get(i), p.scores()[i]);
            if (p.scores()[i] >= threshold.applyAsDouble(labels.get(i)))
                flaggedLabels.add(labels.get(i));
        }
        Timings timings =
                Timings.newBuilder()
                        .setQueuedMs((double) Math.max(0, batch.startMillis() - arrivalMs))
                        .setInferenceMs(batch.inferenceMs())
                        .setBatchSequences(batch.sequences())
                        .setBatchTokens(batch.tokens())
                        .build();
        return ModerationEvent.newBuilder()
                .setId(t.id())
                .setLabel(p.label() == null ? "" : p.label())
                .setScores(scores)
                .setFlagged(!flaggedLabels.isEmpty())
                .setFlaggedLabels(flaggedLabels)
                .setModel(model.name())
                .setModelRevision(model.revision())
                .setTokens(p.tokens())
                .setTimings(timings)
                .setSourceTopic(t.topic())
                .setSourcePartition(t.partition())
                .setSourceOffset(t.offset())
                .setEventTime(t.eventTime())
                .setProcessedTime(Instant.ofEpochMilli(nowMs))
                .setTenant(t.tenant())
                .build();
    }

    public EmbeddingEvent embedding(ValidatedText t, Prediction p) {
        float[] e = p.embedding();
        List<Float> vector = new ArrayList<>(e.length);
        double norm = 0;
        for (float x : e) {
            vector.add(x);
            norm += (double) x * x;
        }
        return EmbeddingEvent.newBuilder()
                .setId(t.id())
                .setVector(vector)
                .setDim(e.length)
                // Stated from the numbers, not assumed: a consumer computing cosine as a dot
                // product relies on it.
                .setNormalized(Math.abs(Math.sqrt(norm) - 1) < 1e-3)
                .setModel(model.name())
                .setModelRevision(model.revision())
                .setTextSha256(t.textSha256())
                .setAttributes(t.attributes())
                .setTenant(t.tenant())
                .setEventTime(t.eventTime())
                .build();
    }
}
