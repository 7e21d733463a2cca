package io.streambert.service.config;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceConfigTest {
    @TempDir Path dir;

    private Path file(String content) throws Exception {
        Path f = dir.resolve("streambert.properties");
        Files.writeString(f, content);
        return f;
    }

    private static ConfigException invalid(Runnable r) {
        return assertThrows(ConfigException.class, r::run);
    }

    @Test
    void defaultsAreUsableAndExactlyOnceIsTheDefault() {
        ServiceConfig c = ServiceConfig.builder().build();
        assertEquals("exactly_once_v2", c.kafka().processingGuarantee());
        assertEquals(java.util.List.of("text-events"), c.topics().inputs());
        assertEquals("moderation-events", c.topics().moderation());
        assertEquals(256, c.scheduler().maxBatchSequences());
        assertEquals("default", c.origin("scheduler.max.batch.sequences"));
    }

    @Test
    void fileThenEnvironmentOverrides() throws Exception {
        Path f =
                file(
                        """
                bootstrap.servers=file:9092
                topic.input=a, b
                scheduler.max.batch.sequences=16
                threshold.toxic=0.7
                kafka.security.protocol=SASL_SSL
                """);
        Map<String, String> env =
                Map.of(
                        "STREAMBERT_BOOTSTRAP_SERVERS", "env:9093",
                        "STREAMBERT_SCHEDULER_MAX_DELAY_MS", "20",
                        "STREAMBERT_THRESHOLD_SEVERE__TOXIC", "0.3",
                        "STREAMBERT_KAFKA_SASL_MECHANISM", "PLAIN",
                        "STREAMBERT_DEBUG", "1",
                        "PATH", "/usr/bin");
        ServiceConfig c = ServiceConfig.load(f, env);
        assertEquals("env:9093", c.kafka().bootstrapServers());
        assertEquals("environment STREAMBERT_BOOTSTRAP_SERVERS", c.origin("bootstrap.servers"));
        assertEquals(java.util.List.of("a", "b"), c.topics().inputs());
        assertEquals(16, c.scheduler().maxBatchSequences());
        assertEquals("file " + f, c.origin("scheduler.max.batch.sequences"));
        assertEquals(20, c.scheduler().maxDelayMs());
        assertEquals(0.7, c.thresholds().threshold("TOXIC"), 1e-12);
        assertEquals(0.3, c.thresholds().threshold("severe_toxic"), 1e-12);
        assertEquals(0.5, c.thresholds().threshold("spam"), 1e-12, "threshold.default");
        assertEquals(
                Double.POSITIVE_INFINITY,
                c.thresholds().threshold("safe"),
                "safe labels never flag by default");
        assertEquals(
                Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN"),
                c.kafka().clients());
    }

    @Test
    void environmentVariableNamesMapToKeys() {
        assertEquals(
                "scheduler.max.batch.sequences",
                EnvOverrides.keyFor("STREAMBERT_SCHEDULER_MAX_BATCH_SEQUENCES"));
        assertEquals(
                "kafka.sasl.jaas.config", EnvOverrides.keyFor("STREAMBERT_KAFKA_SASL_JAAS_CONFIG"));
        assertEquals(
                "threshold.severe_toxic",
                EnvOverrides.keyFor("STREAMBERT_THRESHOLD_SEVERE__TOXIC"));
        assertNull(EnvOverrides.keyFor("STREAMBERT_DEBUG"));
        assertNull(EnvOverrides.keyFor("HOME"));
    }

    @Test
    void kafkaSettingsReachTheStreamsProperties() {
        ServiceConfig c =
                ServiceConfig.builder()
                        .set("kafka.security.protocol", "SSL")
                        .set("kafka.ssl.truststore.location", "/x.jks")
                        .set("application.id", "app1")
                        .build();
        Properties p = StreamsSettings.build(c).properties();
        assertEquals("SSL", p.get("security.protocol"));
        assertEquals("/x.jks", p.get("ssl.truststore.location"));
        assertEquals("app1", p.get("application.id"));
        assertEquals("exactly_once_v2", p.get("processing.guarantee"));
    }

    @Test
    void errorsNameTheKeyItsOriginAndTheProblem() throws Exception {
        Path f =
                file(
                        "scheduler.max.batch.sequences=lots\nscheduler.max.delya.ms=5\nthreshold.toxic=1.5\n");
        ConfigException e =
                invalid(() -> ServiceConfig.load(f, Map.of("STREAMBERT_MODEL_DEVICE", "tpu")));
        String m = e.getMessage();
        assertTrue(
                m.contains(
                        "scheduler.max.batch.sequences (file " + f + "): 'lots' is not an integer"),
                m);
        assertTrue(
                m.contains("unknown key 'scheduler.max.delya.ms'")
                        && m.contains("did you mean 'scheduler.max.delay.ms'"),
                m);
        assertTrue(m.contains("threshold.toxic") && m.contains("not a probability"), m);
        assertTrue(m.contains("model.device (environment STREAMBERT_MODEL_DEVICE): 'tpu'"), m);
    }

    @Test
    void modelPrecisionDefaultsToFp32AndIsChecked() {
        assertEquals("fp32", ServiceConfig.builder().build().model().precision());
        assertEquals(
                "int8",
                ServiceConfig.builder().set("model.precision", "INT8").build().model().precision());
        assertTrue(
                invalid(() -> ServiceConfig.builder().set("model.precision", "fp16").build())
                        .getMessage()
                        .contains(
                                "model.precision (code): 'fp16' is not one of fp32, bf16, int8, auto"));
    }

    @Test
    void rangesAndCombinationsAreChecked() {
        assertTrue(
                invalid(
                                () ->
                                        ServiceConfig.builder()
                                                .set("scheduler.max.batch.sequences", 0)
                                                .build())
                        .getMessage()
                        .contains("scheduler.max.batch.sequences (code): 0 is outside [1, 65536]"));
        assertTrue(
                invalid(
                                () ->
                                        ServiceConfig.builder()
                                                .set("topic.moderation", "")
                                                .set("topic.embedding", "")
                                                .build())
                        .getMessage()
                        .contains("both empty"));
        assertTrue(
                invalid(
                                () ->
                                        ServiceConfig.builder()
                                                .set("topic.moderation", "")
                                                .set("topic.review", "r")
                                                .build())
                        .getMessage()
                        .contains("routing by label needs moderation events"));
        assertTrue(
                invalid(() -> ServiceConfig.builder().set("format.output", "confluent").build())
                        .getMessage()
                        .contains("schema.registry.url is not set"));
        assertTrue(
                invalid(() -> ServiceConfig.builder().set("topic.embedding", "text-events").build())
                        .getMessage()
                        .contains("topic 'text-events' is already used by topic.input"));
        assertTrue(
                invalid(
                                () ->
                                        ServiceConfig.builder()
                                                .set("topic.dead.letter", "embedding-events")
                                                .build())
                        .getMessage()
                        .contains("already used by topic.dead.letter"));
        assertTrue(
                invalid(() -> ServiceConfig.builder().set("kafka.bootstrap.servers", "x:1").build())
                        .getMessage()
                        .contains("set 'bootstrap.servers' directly"));
        assertTrue(
                invalid(
                                () ->
                                        ServiceConfig.builder()
                                                .set("processing.guarantee", "exactly_once")
                                                .build())
                        .getMessage()
                        .contains("not exactly_once_v2 or at_least_once"));
    }

    @Test
    void missingFileIsAClearError() {
        Path missing = dir.resolve("nope.properties");
        assertTrue(
                invalid(() -> ServiceConfig.load(missing, Map.of()))
                        .getMessage()
                        .contains(missing + ": not found"));
    }

    @Test
    void removedKeysAreRefusedWithWhatReplacedThem() {
        String m =
                invalid(
                                () ->
                                        ServiceConfig.builder()
                                                .set("batch.max.records", 64)
                                                .set("scheduler.queue.tokens", 9)
                                                .build())
                        .getMessage();
        assertTrue(
                m.contains("key 'batch.max.records' (code) was removed")
                        && m.contains("scheduler.max.batch.tokens"),
                m);
        assertTrue(m.contains("renamed scheduler.max.inflight.tokens"), m);
    }

    @Test
    void inputLimitsAndHealthLimitsAreRead() {
        ServiceConfig c =
                ServiceConfig.builder()
                        .set("input.max.key.bytes", 100)
                        .set("health.max.device.stall.ms", 5000)
                        .build();
        assertEquals(100, c.inputLimits().keyBytes());
        assertEquals(262_144, c.inputLimits().valueBytes());
        assertEquals(5000, c.ops().health().deviceStallMs());
        assertTrue(
                invalid(
                                () ->
                                        ServiceConfig.builder()
                                                .set("scheduler.retry.backoff.ms", 500)
                                                .set("scheduler.retry.backoff.max.ms", 100)
                                                .build())
                        .getMessage()
                        .contains("is below scheduler.retry.backoff.ms=500"));
    }

    @Test
    void builderFromKeepsExplicitValuesOnly() {
        ServiceConfig a = ServiceConfig.builder().set("scheduler.max.batch.sequences", 7).build();
        ServiceConfig b =
                ServiceConfig.builder().from(a).set("scheduler.max.batch.tokens", 99).build();
        assertEquals(7, b.scheduler().maxBatchSequences());
        assertEquals(99, b.scheduler().maxBatchTokens());
        assertEquals("default", b.origin("scheduler.max.delay.ms"));
    }

    @Test
    void eachSectionHoldsItsOwnKeys() {
        ServiceConfig c =
                ServiceConfig.builder()
                        .set("application.id", "app")
                        .set("num.stream.threads", 2)
                        .set("state.dir", "/state")
                        .set("topics.create", "FALSE")
                        .set("topics.partitions", 5)
                        .set("topics.replication.factor", 3)
                        .set("format.output", "JSON")
                        .set("format.json.collection.name", "docs")
                        .set("registry.basic.auth.credentials.source", "USER_INFO")
                        .set("text.hash.key", "k")
                        .set("model.dir", "/m")
                        .set("model.device", "CPU")
                        .set("model.max.tokens", 100)
                        .set("model.truncation", "reject")
                        .set("model.embedding.dim", 64)
                        .set("model.threads", 3)
                        .set("text.max.bytes", 1000)
                        .set("input.max.value.bytes", 2000)
                        .set("input.max.id.bytes", 30)
                        .set("input.max.attributes", 4)
                        .set("input.max.attributes.bytes", 500)
                        .set("dead.letter.max.payload.bytes", 600)
                        .set("input.max.headers.bytes", 700)
                        .set("text.normalize", "false")
                        .set("output.headers.copy", "FALSE")
                        .set("output.headers.deny", "Cookie, x-secret")
                        .set("dead.letter.text", "HASH")
                        .set("input.pause.retry.ms", 17)
                        .set("batch.forward.interval.ms", 7)
                        .set("scheduler.max.batch.tokens", 1000)
                        .set("scheduler.max.batch.sequences", 9)
                        .set("scheduler.max.delay.ms", 11)
                        .set("scheduler.max.inflight.tokens", 12)
                        .set("scheduler.admission.wait.ms", 13)
                        .set("scheduler.retry.backoff.ms", 14)
                        .set("scheduler.retry.backoff.max.ms", 15)
                        .set("threshold.default", 0.25)
                        .set("labels.safe", "Fine, ok")
                        .set("device.fault.exit", false)
                        .set("health.max.thread.replacements", 6)
                        .set("health.max.buffered.age.ms", 16)
                        .set("http.port", -1)
                        .set("http.bind.address", "0.0.0.0")
                        .set("progress.interval.ms", 0)
                        .set("topic.route.Spam", "spam-events")
                        .build();
        assertEquals(
                new ServiceConfig.Kafka(
                        "app", "localhost:9092", "exactly_once_v2", 2, "/state", Map.of()),
                c.kafka());
        assertEquals(new ServiceConfig.TopicCreation(false, 5, (short) 3), c.topicCreation());
        assertEquals(Map.of("spam", "spam-events"), c.topics().labelRoutes());
        assertEquals(ServiceConfig.OutputFormat.JSON, c.output().format());
        assertEquals("docs", c.output().jsonCollectionName());
        assertEquals(Map.of("basic.auth.credentials.source", "USER_INFO"), c.output().registry());
        assertEquals("k", c.output().textHashKey().value());
        assertEquals(
                new ServiceConfig.Model(Path.of("/m"), "cpu", 100, true, 64, 3, "fp32"), c.model());
        assertEquals(new InputLimits(2000, 4096, 30, 4, 500, 1000, 600, 700), c.inputLimits());
        assertEquals(
                new ServiceConfig.Validation(false, false, List.of("Cookie", "x-secret"), true, 17),
                c.validation());
        assertEquals(7, c.buffer().forwardIntervalMs());
        assertEquals(new ServiceConfig.Scheduler(1000, 9, 11, 12, 13, 14, 15), c.scheduler());
        assertEquals(0.25, c.thresholds().threshold("spam"), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, c.thresholds().threshold("FINE"));
        assertEquals(
                new ServiceConfig.Ops(false, new HealthLimits(120_000, 6, 16), -1, "0.0.0.0", 0),
                c.ops());
    }

    @Test
    void validationDefaultsAndRefusals() {
        ServiceConfig.Validation v = ServiceConfig.builder().build().validation();
        assertEquals(new ServiceConfig.Validation(true, true, List.of(), false, 5000), v);
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> ServiceConfig.builder().set("dead.letter.text", "text").build());
        assertTrue(e.getMessage().contains("dead.letter.text"), e.getMessage());
        e =
                assertThrows(
                        ConfigException.class,
                        () -> ServiceConfig.builder().set("input.pause.retry.ms", -1).build());
        assertTrue(e.getMessage().contains("input.pause.retry.ms"), e.getMessage());
    }
}
