package io.streambert.demo;

import io.streambert.schemas.DeadLetter;
import io.streambert.schemas.EmbeddingEvent;
import io.streambert.schemas.ModerationEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** One readable line per output event, for people watching the demo. */
final class ResultFormat {
    private ResultFormat() {}

    static String moderation(ModerationEvent e) {
        StringBuilder scores = new StringBuilder();
        for (Map.Entry<String, Float> s : new TreeMap<>(e.getScores()).entrySet()) {
            if (!scores.isEmpty()) scores.append(' ');
            scores.append(s.getKey())
                    .append('=')
                    .append(String.format(Locale.ROOT, "%.3f", s.getValue()));
        }
        return String.format(
                Locale.ROOT,
                "[moderation] %-10s label=%-6s %s%s  (%d tokens, batch of %d, %.1f ms)",
                e.getId(),
                e.getLabel(),
                scores,
                e.getFlagged() ? "  FLAGGED " + e.getFlaggedLabels() : "",
                e.getTokens(),
                e.getTimings().getBatchSequences(),
                e.getTimings().getInferenceMs());
    }

    static String embedding(EmbeddingEvent e) {
        List<Float> v = e.getVector();
        StringBuilder head = new StringBuilder();
        for (int i = 0; i < Math.min(4, v.size()); i++) {
            if (i > 0) head.append(", ");
            head.append(String.format(Locale.ROOT, "%+.4f", v.get(i)));
        }
        return String.format(
                Locale.ROOT,
                "[embedding]  %-10s dim=%d%s [%s, ...]",
                e.getId(),
                e.getDim(),
                e.getNormalized() ? " (L2-normalised)" : "",
                head);
    }

    static String deadLetter(DeadLetter d) {
        return String.format(
                Locale.ROOT,
                "[dead-letter] key=%s reason=%s: %s (from %s-%d@%d, %s)",
                text(d.getKey()),
                d.getErrorClass(),
                d.getErrorMessage(),
                d.getTopic(),
                d.getPartition(),
                d.getOffset(),
                d.getValue() == null ? "no value" : d.getValue().remaining() + " value bytes kept");
    }

    private static String text(ByteBuffer b) {
        if (b == null) return "null";
        ByteBuffer d = b.duplicate();
        byte[] bytes = new byte[d.remaining()];
        d.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
