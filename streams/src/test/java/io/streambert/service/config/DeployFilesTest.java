package io.streambert.service.config;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example configurations under deploy/ are valid configurations (they are what users copy). */
class DeployFilesTest {
    @TempDir Path dir;

    private static Path deploy() {
        Path p = Path.of("..", "deploy").toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(p), "deploy/ next to the streams module: " + p);
        return p;
    }

    @Test
    void theExamplePropertiesFileIsValid() {
        ServiceConfig c = ServiceConfig.load(deploy().resolve("streambert.properties"), Map.of());
        assertEquals("exactly_once_v2", c.processingGuarantee());
        assertEquals("moderation-review", c.reviewTopic());
        StreamsSettings.build(c); // the timeout budget accepts it
    }

    @Test
    void theKubernetesConfigMapHoldsAValidConfiguration() throws Exception {
        List<String> lines = Files.readAllLines(deploy().resolve("kubernetes/streambert.yaml"));
        List<String> props = new ArrayList<>();
        boolean in = false;
        for (String l : lines) {
            if (l.trim().equals("streambert.properties: |")) { in = true; continue; }
            if (in && (l.startsWith("    ") || l.isBlank())) props.add(l.strip());
            else if (in) break;
        }
        assertFalse(props.isEmpty());
        Path f = dir.resolve("cm.properties");
        Files.write(f, props);
        ServiceConfig c = ServiceConfig.load(f, Map.of());
        assertEquals("cuda", c.device());
        StreamsSettings.build(c);
    }
}
