package io.streambert.service.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every topic the service reads or writes, in one place: the topics section of {@link
 * ServiceConfig}.
 *
 * @param moderation "" when moderation output is off
 * @param embedding "" when embedding output is off
 * @param review "" when off; receives flagged moderation events (in addition to {@code moderation})
 * @param labelRoutes lower-cased label -> topic receiving moderation events with that top label (in
 *     addition)
 */
public record Topics(
        List<String> inputs,
        String moderation,
        String embedding,
        String deadLetter,
        String review,
        Map<String, String> labelRoutes) {

    public boolean moderationOn() {
        return !moderation.isEmpty();
    }

    public boolean embeddingOn() {
        return !embedding.isEmpty();
    }

    /** Topics that receive moderation events (the main one, review, label routes), each once. */
    public Set<String> moderationTopics() {
        Set<String> s = new LinkedHashSet<>();
        if (moderationOn()) s.add(moderation);
        if (!review.isEmpty()) s.add(review);
        s.addAll(labelRoutes.values());
        return s;
    }

    /**
     * Every topic the service writes (dead letters included), each once: what has to exist before
     * start.
     */
    public List<String> outputs() {
        Set<String> s = new LinkedHashSet<>(moderationTopics());
        if (embeddingOn()) s.add(embedding);
        s.add(deadLetter);
        return new ArrayList<>(s);
    }

    /** The topology's sink node name for {@code topic}. */
    public static String sinkName(String topic) {
        return "sink-" + topic;
    }
}
