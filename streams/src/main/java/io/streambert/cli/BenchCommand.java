package io.streambert.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

// Placeholder until its issue lands: says so plainly and fails.
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Time the encoder on a workload of sequence lengths.")
public final class BenchCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("streambert bench: not implemented yet");
        return 2;
    }
}
