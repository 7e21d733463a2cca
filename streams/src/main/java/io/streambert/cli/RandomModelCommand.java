package io.streambert.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

// Placeholder until its issue lands: says so plainly and fails.
@Command(name = "random-model", mixinStandardHelpOptions = true, description = "Write a random-weight ModernBERT checkpoint in the Hugging Face layout.")
public final class RandomModelCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("streambert random-model: not implemented yet");
        return 2;
    }
}
