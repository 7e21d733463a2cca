package io.streambert.service.ops;

import static org.junit.jupiter.api.Assertions.*;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streambert.service.config.HealthLimits;
import io.streambert.service.schedule.InferenceScheduler;
import io.streambert.service.schedule.SchedulerListener;
import io.streambert.service.schedule.SchedulerSettings;
import io.streambert.service.testing.TestEncoder;
import io.streambert.service.testing.TopologyHarness;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * A schema registry outage replaces stream threads again and again (each retry window): that is the
 * retry, not a sick process, so liveness does not count those replacements; /health says the input
 * is paused. Other replacements still count.
 */
class HealthCheckPauseTest {
    @Test
    void replacementsDuringARegistryOutageDoNotFailLivenessOthersDo() {
        ServiceMetrics metrics = new ServiceMetrics(new SimpleMeterRegistry());
        try (InferenceScheduler scheduler =
                new InferenceScheduler(
                        new TestEncoder(),
                        SchedulerSettings.from(TopologyHarness.config().build()),
                        new SchedulerListener() {})) {
            HealthCheck health =
                    new HealthCheck(
                            new HealthLimits(120_000, 2, 600_000),
                            scheduler,
                            new BufferAges(),
                            metrics,
                            () -> KafkaStreams.State.RUNNING,
                            () -> false);
            assertTrue(health.liveness().ok(), health.liveness().detail());
            for (int i = 0; i < 10; i++) {
                metrics.inputPaused("registry-unavailable");
                metrics.threadReplaced(true);
            }
            var during = health.liveness();
            assertTrue(during.ok(), during.detail());
            assertTrue(
                    during.detail().contains("input_paused=registry-unavailable"), during.detail());
            assertTrue(during.detail().contains("thread_replacements=10"), during.detail());
            for (int i = 0; i < 3; i++) metrics.threadReplaced(false);
            var sick = health.liveness();
            assertFalse(sick.ok(), sick.detail());
            assertTrue(sick.detail().contains("3 stream thread replacements"), sick.detail());
        }
    }
}
