package io.streambert.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

// Placeholder until its issue lands: says so plainly and fails.
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the service against a Kafka cluster.")
public final class RunCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("streambert run: not implemented yet");
        return 2;
    }
}
