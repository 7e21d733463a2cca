package io.streambert.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

// Placeholder until its issue lands: says so plainly and fails.
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Embedded broker + service + bundled model + sample events, results printed.")
public final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("streambert demo: not implemented yet");
        return 2;
    }
}
