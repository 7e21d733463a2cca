package io.streambert.cli;

import io.streambert.engine.random.RandomCheckpoint;
import io.streambert.engine.random.RandomModelSize;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streambert random-model}: a random-weight checkpoint in the Hugging Face layout, for
 * benchmarks and demos.
 */
@Command(
        name = "random-model",
        mixinStandardHelpOptions = true,
        description = "Write a random-weight ModernBERT checkpoint in the Hugging Face layout.")
public final class RandomModelCommand implements Callable<Integer> {

    @Option(
            names = "--size",
            defaultValue = "base",
            description = "tiny | base | large (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(
            names = "--labels",
            defaultValue = "2",
            description = "Number of classification labels (default: ${DEFAULT-VALUE}).")
    int labels;

    @Option(
            names = "--out",
            required = true,
            description = "Directory to write (created if missing).")
    Path out;

    @Option(
            names = "--seed",
            defaultValue = "7",
            description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        RandomModelSize s = RandomModelSize.parse(size);
        long t0 = System.nanoTime();
        RandomCheckpoint.write(out, s, labels, seed);
        System.out.printf(
                "{\"out\": \"%s\", \"size\": \"%s\", \"labels\": %d, \"seconds\": %.1f}%n",
                out.toString().replace("\\", "\\\\").replace("\"", "\\\""),
                s.name().toLowerCase(java.util.Locale.ROOT),
                labels,
                (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
