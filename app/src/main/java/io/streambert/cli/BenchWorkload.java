package io.streambert.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A benchmark workload: sequence lengths from a file (one per line, tokens incl. [CLS]/[SEP])
 * turned into random ids.
 */
final class BenchWorkload {
    private BenchWorkload() {}

    static List<Integer> readLengths(Path file, int maxTokens) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--lengths " + file + ": no such file");
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String s = lines.get(i).trim();
            if (s.isEmpty() || s.startsWith("#")) continue;
            int n;
            try {
                n = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        file + " line " + (i + 1) + ": '" + s + "' is not a sequence length");
            }
            if (n < 1 || n > maxTokens)
                throw new IllegalArgumentException(
                        file
                                + " line "
                                + (i + 1)
                                + ": length "
                                + n
                                + " is outside 1.."
                                + maxTokens
                                + " (the model's token limit)");
            out.add(n);
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + ": no lengths");
        return out;
    }

    /**
     * Random ids below min(vocab, 50000), as the torch peer draws them (speed does not depend on
     * the values).
     */
    static List<int[]> randomIds(List<Integer> lengths, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int bound = Math.min(vocab, 50000);
        List<int[]> out = new ArrayList<>(lengths.size());
        for (int n : lengths) {
            int[] ids = new int[n];
            for (int i = 0; i < n; i++) ids[i] = r.nextInt(bound);
            out.add(ids);
        }
        return out;
    }
}
