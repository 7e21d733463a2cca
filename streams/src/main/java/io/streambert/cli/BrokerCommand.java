package io.streambert.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

// Placeholder until its issue lands: says so plainly and fails.
@Command(name = "broker", mixinStandardHelpOptions = true, description = "A single-node KRaft broker in this process.")
public final class BrokerCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("streambert broker: not implemented yet");
        return 2;
    }
}
