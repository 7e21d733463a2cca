package io.streambert.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link ServiceProcessMain} in a second JVM, with the test class path and the project's JVM
 * flags.
 */
final class ServiceProcess {
    private final Process process;
    private final Path log;

    private ServiceProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ServiceProcess launch(String bootstrap, String applicationId, Path stateDir, Path log)
            throws IOException {
        return launch(bootstrap, applicationId, stateDir, log, List.of());
    }

    /**
     * @param properties extra {@code -Dkey=value} flags for {@link ServiceProcessMain} (encoder,
     *     gate, threads)
     */
    static ServiceProcess launch(
            String bootstrap,
            String applicationId,
            Path stateDir,
            Path log,
            List<String> properties)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags());
        cmd.addAll(properties);
        cmd.add("-Xmx384m");
        cmd.add("-Dorg.slf4j.simpleLogger.log.kafka=warn");
        cmd.add("-Dorg.slf4j.simpleLogger.log.org.apache.kafka=warn");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ServiceProcessMain.class.getName());
        cmd.add(bootstrap);
        cmd.add(applicationId);
        cmd.add(stateDir.toString());
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        return new ServiceProcess(p, log);
    }

    // The parent pom's streambert.jvm.flags, passed by failsafe as a system property; else this
    // JVM's own flags.
    private static List<String> jvmFlags() {
        String flags = System.getProperty("streambert.jvm.flags");
        if (flags != null && !flags.isBlank()) return Arrays.asList(flags.trim().split("\\s+"));
        List<String> own = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-modules")
                    || a.startsWith("--enable-native-access")
                    || a.startsWith("-Xss")) own.add(a);
        }
        return own;
    }

    /** Waits for the STARTED line; fails with the child's output when it dies or takes too long. */
    void awaitStarted(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (output().contains(ServiceProcessMain.STARTED)) return;
            if (!process.isAlive())
                fail("the service process exited with " + process.exitValue() + ":\n" + output());
            Thread.sleep(200);
        }
        fail(
                "the service process did not start within "
                        + timeout.toSeconds()
                        + " s:\n"
                        + output());
    }

    /** SIGKILL: no shutdown hooks, no close, no final commit; an open transaction stays open. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Sends a signal (STOP, CONT, TERM, ...) with kill(1). */
    void signal(String name) throws IOException, InterruptedException {
        Process k =
                new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                        .inheritIO()
                        .start();
        if (k.waitFor() != 0) fail("kill -" + name + " " + process.pid() + " failed");
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int exitCode() {
        return process.exitValue();
    }

    /**
     * SIGTERM and wait for a graceful exit; the exit status, or -1 when it had to be killed after
     * 60 s.
     */
    int terminate() throws InterruptedException {
        process.destroy();
        if (process.waitFor(Duration.ofSeconds(60))) return process.exitValue();
        kill();
        return -1;
    }

    /** SIGTERM, then SIGKILL if it does not exit within 30 s. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(Duration.ofSeconds(30))) kill();
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
