package io.streambert.service.batch;

import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import io.streambert.service.config.Topics;
import io.streambert.service.deadletter.Reason;
import io.streambert.service.output.OutputMapper;
import io.streambert.service.output.Router;
import io.streambert.service.schedule.InferenceResult;
import io.streambert.service.validate.DeadLetterPolicy;
import io.streambert.service.validate.ValidatedText;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Every output record of one buffered record and its inference result, with the sink each goes to:
 * the moderation event (and its routed copies), the embedding event, or a dead letter when
 * inference failed. Built completely before anything is forwarded, so an exception leaves nothing
 * half-sent. Every output carries the input headers kept by validation ({@link
 * ValidatedText#headers()}), unchanged.
 */
final class OutputBuilder {
    /** One output: the record, the sink node it goes to, and its kind for the events-out metric. */
    record Out(Record<byte[], Object> record, String sink, String kind) {}

    private final OutputMapper mapper;
    private final Router router;
    private final Topics topics;
    private final DeadLetterPolicy deadLetters;

    OutputBuilder(OutputMapper mapper, Topics topics, DeadLetterPolicy deadLetters) {
        this.mapper = mapper;
        this.router = new Router(topics);
        this.topics = topics;
        this.deadLetters = deadLetters;
    }

    List<Out> build(BufferedRecord b, InferenceResult result, long nowMs) {
        ValidatedText t = b.text();
        Record<byte[], Object> base = new Record<>(t.key(), null, t.timestamp(), t.headers());
        List<Out> out = new ArrayList<>(3);
        switch (result) {
            case InferenceResult.Success s -> {
                if (!topics.moderationTopics().isEmpty()) {
                    ModerationEvent m =
                            mapper.moderation(t, s.prediction(), s.batch(), b.arrivalMs(), nowMs);
                    for (String topic : router.moderationDestinations(m))
                        out.add(
                                new Out(
                                        base.withValue(m),
                                        Topics.sinkName(topic),
                                        topic.equals(topics.moderation())
                                                ? "moderation"
                                                : "moderation-routed"));
                }
                if (topics.embeddingOn()) {
                    EmbeddingEvent e = mapper.embedding(t, s.prediction());
                    out.add(
                            new Out(
                                    base.withValue(e),
                                    Topics.sinkName(topics.embedding()),
                                    "embedding"));
                }
            }
            case InferenceResult.Failure f ->
                    out.add(deadLetter(t, Reason.INFERENCE_FAILED, f.message(), nowMs));
        }
        return out;
    }

    Out deadLetter(ValidatedText t, Reason reason, String message, long nowMs) {
        DeadLetter d =
                deadLetters.build(
                        t.key(),
                        t.value(),
                        t.topic(),
                        t.partition(),
                        t.offset(),
                        reason,
                        message,
                        nowMs,
                        t.textSha256());
        return new Out(
                new Record<>(deadLetters.recordKey(t.key()), d, t.timestamp(), t.headers()),
                Topics.sinkName(topics.deadLetter()),
                "dead-letter");
    }
}
