package io.streambert.service.baseline;

import io.streambert.service.batch.BufferedRecordSerde;
import io.streambert.service.config.ServiceConfig;
import io.streambert.service.config.Topics;
import io.streambert.service.ops.ServiceMetrics;
import io.streambert.service.output.OutputMapper;
import io.streambert.service.topology.ServiceSerdes;
import io.streambert.service.topology.StreamBertTopology;
import io.streambert.service.validate.ValidateProcessor;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * TEST BASELINE ONLY: the previous release's topology, where a stream thread waits for its own
 * micro-batch inside its transaction (validate -> blocking micro-batch -> sinks). CapacityIT
 * measures it next to the current design, in the same run.
 */
public final class BlockingTopology {
    private BlockingTopology() {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Topology build(
            ServiceConfig config,
            BlockingScheduler scheduler,
            BlockingBatchLimits limits,
            ServiceMetrics metrics) {
        ServiceSerdes serdes = ServiceSerdes.forConfig(config);
        Topics topics = config.topics();
        OutputMapper mapper =
                new OutputMapper(scheduler.encoder().info(), config.thresholds()::threshold);
        String deadSink = Topics.sinkName(topics.deadLetter());
        String source = StreamBertTopology.SOURCE,
                validate = StreamBertTopology.VALIDATE,
                batch = StreamBertTopology.BATCH;
        Topology t = new Topology();
        t.addSource(
                source,
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer(),
                topics.inputs().toArray(String[]::new));
        t.addProcessor(
                validate,
                () ->
                        new ValidateProcessor(
                                serdes.text().deserializer(),
                                scheduler.encoder(),
                                config.inputLimits(),
                                batch,
                                deadSink,
                                metrics),
                source);
        t.addProcessor(
                batch,
                () ->
                        new BlockingMicroBatchProcessor(
                                StreamBertTopology.BUFFER_STORE,
                                limits,
                                scheduler,
                                mapper,
                                topics,
                                metrics,
                                () -> false),
                validate);
        t.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.persistentKeyValueStore(StreamBertTopology.BUFFER_STORE),
                                Serdes.Long(),
                                new BufferedRecordSerde())
                        .withCachingDisabled(),
                batch);
        for (String topic : topics.moderationTopics())
            t.addSink(
                    Topics.sinkName(topic),
                    topic,
                    new ByteArraySerializer(),
                    (Serializer) serdes.moderation().serializer(),
                    batch);
        if (topics.embeddingOn())
            t.addSink(
                    Topics.sinkName(topics.embedding()),
                    topics.embedding(),
                    new ByteArraySerializer(),
                    (Serializer) serdes.embedding().serializer(),
                    batch);
        t.addSink(
                deadSink,
                topics.deadLetter(),
                new ByteArraySerializer(),
                (Serializer) serdes.deadLetter().serializer(),
                validate,
                batch);
        return t;
    }
}
