package io.streambert.loadtest;

/**
 * Where the load test's texts come from: synthetic ({@link SampleTexts}) or a replayed corpus
 * ({@link ReplayTexts}).
 */
interface TextSource {
    /** The text of event {@code index} (0-based, in send order). */
    String text(long index);
}
