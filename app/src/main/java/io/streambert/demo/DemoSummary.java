package io.streambert.demo;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the demo saw on the output topics.
 *
 * @param expectedIds ids of the good events sent (each should get one moderation and one embedding
 *     event)
 * @param moderationIds ids seen on the moderation topic (a duplicate would not grow this set, see
 *     counts)
 * @param embeddingIds ids seen on the embedding topic
 * @param deadLetterKeys keys seen on the dead-letter topic
 * @param outputRecords total records read from the three output topics
 * @param labels moderation count per label
 * @param flagged moderation events with flagged=true
 * @param deadLetterReasons dead-letter count per error class
 * @param secondsToFirst seconds from the first send to the first result (NaN when none)
 * @param seconds seconds from the first send until every expected output had arrived (or the demo
 *     stopped)
 */
public record DemoSummary(
        Set<String> expectedIds,
        Set<String> moderationIds,
        Set<String> embeddingIds,
        Set<String> deadLetterKeys,
        Set<String> expectedDeadLetters,
        int outputRecords,
        Map<String, Integer> labels,
        int flagged,
        Map<String, Integer> deadLetterReasons,
        double secondsToFirst,
        double seconds) {

    /**
     * Every good event has its moderation and embedding result and every bad one its dead letter.
     */
    public boolean complete() {
        return moderationIds.containsAll(expectedIds)
                && embeddingIds.containsAll(expectedIds)
                && deadLetterKeys.containsAll(expectedDeadLetters);
    }

    public void print(PrintStream out) {
        out.println();
        out.println("---- summary ----");
        out.printf(
                Locale.ROOT,
                "sent %d good events and %d bad ones; first result after %.1f s, %s %.1f s after the first send%n",
                expectedIds.size(),
                expectedDeadLetters.size(),
                secondsToFirst,
                complete() ? "every output in" : "stopped",
                seconds);
        out.printf(
                Locale.ROOT,
                "moderation events: %d/%d  labels %s  flagged %d%n",
                moderationIds.size(),
                expectedIds.size(),
                labels,
                flagged);
        out.printf(
                Locale.ROOT, "embedding events:  %d/%d%n", embeddingIds.size(), expectedIds.size());
        out.printf(
                Locale.ROOT,
                "dead letters:      %d/%d  reasons %s%n",
                deadLetterKeys.size(),
                expectedDeadLetters.size(),
                deadLetterReasons);
        out.println(
                complete()
                        ? "every event came out: OK"
                        : "INCOMPLETE: some expected outputs did not arrive in time");
        out.println(
                "(the bundled model mini-spam was trained on emails, with ordinary English sentences as ham:"
                        + " docs/MODEL.md has its measured quality; it is not a chat moderation model)");
    }
}
