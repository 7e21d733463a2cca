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
        assertEquals("exactly_once_v2", c.kafka().processingGuarantee());
        assertEquals("moderation-review", c.topics().review());
        StreamsSettings.build(c); // the timeout budget accepts it
    }

    @Test
    void theKubernetesConfigMapHoldsAValidConfiguration() throws Exception {
        List<String> lines = Files.readAllLines(deploy().resolve("kubernetes/streambert.yaml"));
        List<String> props = new ArrayList<>();
        boolean in = false;
        for (String l : lines) {
            if (l.trim().equals("streambert.properties: |")) {
                in = true;
                continue;
            }
            if (in && (l.startsWith("    ") || l.isBlank())) props.add(l.strip());
            else if (in) break;
        }
        assertFalse(props.isEmpty());
        Path f = dir.resolve("cm.properties");
        Files.write(f, props);
        ServiceConfig c = ServiceConfig.load(f, Map.of());
        assertEquals(
                "auto",
                c.model().device()); // the GPU when it passes its probe, else the CPU: a GPU pod
        // never crash-loops
        StreamsSettings.build(c);
        // and with the pod name as static member id, as the StatefulSet sets it
        ServiceConfig stat =
                ServiceConfig.load(f, Map.of("STREAMBERT_KAFKA_GROUP_INSTANCE_ID", "streambert-0"));
        StreamsSettings.build(stat);
    }

    @Test
    void theKubernetesManifestSchedulesOnGpuNodesWithStaticMembershipAndABudget() throws Exception {
        String y = Files.readString(deploy().resolve("kubernetes/streambert.yaml"));
        for (String must :
                List.of(
                        "enableServiceLinks: false",
                        "nodeSelector:",
                        "nvidia.com/gpu.present",
                        "tolerations:",
                        "STREAMBERT_KAFKA_GROUP_INSTANCE_ID",
                        "fieldPath: metadata.name",
                        "kind: PodDisruptionBudget",
                        "maxUnavailable: 1",
                        "nvidia.com/gpu: 1"))
            assertTrue(y.contains(must), "deploy/kubernetes/streambert.yaml lacks " + must);
    }
}
