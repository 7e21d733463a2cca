package io.streambert.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic texts of chosen lengths in words, cycling through the lengths so a run mixes short and
 * long inputs (what unpadded batching is for). Deterministic for a given seed so two runs send the
 * same load.
 */
final class SampleTexts implements TextSource {
    private static final String[] WORDS =
            ("the a service stream event model batch token kafka message user post comment "
                            + "great terrible spam offer free click link buy now hello thanks please review order delivery late "
                            + "refund account password update weather today tomorrow music video game team win lose love hate")
                    .split(" ");

    private final int[] lengths;
    private final SplittableRandom random;

    SampleTexts(List<Integer> lengthsInWords, long seed) {
        if (lengthsInWords.isEmpty())
            throw new IllegalArgumentException("at least one text length is needed");
        for (int n : lengthsInWords) {
            if (n < 1)
                throw new IllegalArgumentException(
                        "text lengths are words per text and must be >= 1, got " + n);
        }
        this.lengths = lengthsInWords.stream().mapToInt(Integer::intValue).toArray();
        this.random = new SplittableRandom(seed);
    }

    /** Parses "16,64,256" into word counts; a clear message names the bad entry. */
    static List<Integer> parseLengths(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String part : csv.split(",", -1)) {
            String s = part.strip();
            if (s.isEmpty()) continue;
            try {
                out.add(Integer.parseInt(s));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--lengths: '" + s + "' is not a whole number of words");
            }
        }
        if (out.isEmpty())
            throw new IllegalArgumentException(
                    "--lengths: give at least one length, e.g. 16,64,256");
        return out;
    }

    /** The text for event {@code index}: lengths[index % lengths.length] words. */
    @Override
    public String text(long index) {
        int words = lengths[(int) (index % lengths.length)];
        StringBuilder sb = new StringBuilder(words * 7);
        for (int w = 0; w < words; w++) {
            if (w > 0) sb.append(' ');
            sb.append(WORDS[random.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }
}
