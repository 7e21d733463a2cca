package io.streambert.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** bin/streambert: one subcommand per job. Each subcommand lives in its own file. */
@Command(
        name = "streambert",
        mixinStandardHelpOptions = true,
        version = "streambert 0.1.0",
        description = "Real-time ModernBERT inference on Kafka.",
        subcommands = {
            DemoCommand.class,
            RunCommand.class,
            BrokerCommand.class,
            InferCommand.class,
            BenchCommand.class,
            RandomModelCommand.class,
            GpuBundleCommand.class,
            EvaluateCommand.class,
        })
public final class StreamBertCli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI in this JVM and returns the exit code (tests call this). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new StreamBertCli());
        // A bad file or bad flag gets its message, not a stack trace.
        cl.setExecutionExceptionHandler(
                (ex, cmd, parsed) -> {
                    cmd.getErr()
                            .println("streambert " + cmd.getCommandName() + ": " + ex.getMessage());
                    if (System.getenv("STREAMBERT_DEBUG") != null) ex.printStackTrace(cmd.getErr());
                    return 2;
                });
        return cl.execute(args);
    }
}
