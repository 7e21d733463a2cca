package io.streambert.service.output;

import io.streambert.schemas.ModerationEvent;
import io.streambert.service.config.Topics;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which topics a moderation event goes to: the moderation topic, the review topic when flagged, a
 * label's route.
 */
public final class Router {
    private final Topics topics;

    public Router(Topics topics) {
        this.topics = topics;
    }

    public Set<String> moderationDestinations(ModerationEvent e) {
        Set<String> out = new LinkedHashSet<>();
        if (topics.moderationOn()) out.add(topics.moderation());
        if (!topics.review().isEmpty() && e.getFlagged()) out.add(topics.review());
        String route = topics.labelRoutes().get(e.getLabel().toLowerCase(Locale.ROOT));
        if (route != null) out.add(route);
        return out;
    }
}
