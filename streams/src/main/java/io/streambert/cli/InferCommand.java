package io.streambert.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

// Placeholder until its issue lands: says so plainly and fails.
@Command(name = "infer", mixinStandardHelpOptions = true, description = "Run the model over a JSONL file.")
public final class InferCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("streambert infer: not implemented yet");
        return 2;
    }
}
