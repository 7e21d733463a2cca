package io.streambert.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/streambert run refuses bad configuration with a message naming the problem, not a stack
 * trace.
 */
class RunCommandTest {
    @TempDir Path dir;

    private static String runExpectingFailure(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, StreamBertCli.execute(args));
        } finally {
            System.setErr(old);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aMissingConfigFileIsNamed() {
        Path missing = dir.resolve("missing.properties");
        String err = runExpectingFailure("run", "--config", missing.toString());
        assertTrue(err.contains("streambert run: config file " + missing + ": not found"), err);
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
    }

    @Test
    void badValuesAreListedWithTheirKeys() throws Exception {
        Path f = dir.resolve("s.properties");
        Files.writeString(f, "scheduler.max.batch.sequences=-3\nmodel.dir=" + dir + "\n");
        String err =
                runExpectingFailure("run", "--config", f.toString(), "--set", "format.output=xml");
        assertTrue(
                err.contains("scheduler.max.batch.sequences (file " + f + "): -3 is outside"), err);
        assertTrue(
                err.contains("format.output (--set): 'xml' is not one of [avro, confluent, json]"),
                err);
    }

    @Test
    void aMissingModelDirectoryIsNamed() throws Exception {
        Path f = dir.resolve("s.properties");
        Files.writeString(f, "http.port=-1\n");
        String err = runExpectingFailure("run", "--config", f.toString());
        assertTrue(err.contains("model.dir (default): must name a model directory"), err);
    }
}
