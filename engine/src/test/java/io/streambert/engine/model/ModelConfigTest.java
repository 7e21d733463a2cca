package io.streambert.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streambert.engine.TestModels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** config.json in both layouts, the fields the engine reads, and clear errors. */
class ModelConfigTest {
    static ModelConfig parse(String json) throws Exception {
        return ModelConfig.parse(Path.of("/m/config.json"), new ObjectMapper().readTree(json), "m");
    }

    @Test
    void releasedLayoutOfTinyA() {
        ModelConfig c = ModelConfig.load(TestModels.tinyA());
        assertEquals(128, c.hiddenSize());
        assertEquals(64, c.headDim());
        assertArrayEquals(new boolean[] {true, false, false, true}, c.globalLayers());
        assertEquals(-1, c.halfWindow(0));
        assertEquals(8, c.halfWindow(1));
        assertEquals(160000.0, c.ropeTheta(3));
        assertEquals(10000.0, c.ropeTheta(2));
        assertEquals(List.of("safe", "spam", "toxic"), c.id2label());
        assertEquals("mean", c.classifierPooling());
        assertEquals(1024, c.maxPositions());
        assertEquals(658, c.sepTokenId());
        assertFalse(c.multiLabel());
        assertEquals("tiny-a", c.name());
    }

    @Test
    void newerLayout() throws Exception {
        ModelConfig c =
                parse(
                        """
                {"model_type": "modernbert", "num_hidden_layers": 3, "hidden_size": 64, "num_attention_heads": 1,
                 "layer_types": ["sliding_attention", "full_attention", "sliding_attention"],
                 "rope_parameters": {"full_attention": {"rope_type": "default", "rope_theta": 80000.0},
                                     "sliding_attention": {"rope_type": "default", "rope_theta": 5000.0}},
                 "local_attention": 64, "norm_bias": true, "problem_type": "multi_label_classification",
                 "id2label": {"1": "b", "0": "a"}}""");
        assertArrayEquals(new boolean[] {false, true, false}, c.globalLayers());
        assertEquals(80000.0, c.ropeTheta(1));
        assertEquals(5000.0, c.ropeTheta(0));
        assertEquals(32, c.halfWindow(2));
        assertTrue(c.normBias());
        assertTrue(c.multiLabel());
        assertEquals(List.of("a", "b"), c.id2label());
    }

    @Test
    void flatRopeParametersApplyToEveryLayerType() throws Exception {
        ModelConfig c =
                parse(
                        """
                {"model_type": "modernbert", "num_hidden_layers": 2, "layer_types": ["full_attention", "sliding_attention"],
                 "rope_parameters": {"rope_type": "default", "rope_theta": 20000.0}}""");
        assertEquals(20000.0, c.ropeTheta(0));
        assertEquals(20000.0, c.ropeTheta(1));
        String m =
                assertThrows(
                                ModelLoadException.class,
                                () ->
                                        parse(
                                                "{\"model_type\": \"modernbert\", \"rope_parameters\": {\"rope_type\": \"linear\", \"factor\": 2}}"))
                        .getMessage();
        assertTrue(m.contains("rope_parameters.rope_type") && m.contains("linear"), m);
    }

    @Test
    void defaultsFollowTransformers() throws Exception {
        ModelConfig c = parse("{\"model_type\": \"modernbert\", \"local_rope_theta\": null}");
        assertEquals(22, c.numLayers());
        assertEquals(768, c.hiddenSize());
        assertEquals(
                160000.0,
                c.ropeTheta(1),
                "missing local theta falls back to the global one, as the reference does");
        assertEquals(64, c.halfWindow(1));
        assertEquals("cls", c.classifierPooling());
        assertEquals(8192, c.maxPositions());
    }

    @Test
    void errorsNameTheField() {
        assertThrows(ModelLoadException.class, () -> parse("{\"model_type\": \"bert\"}"));
        String m =
                assertThrows(
                                ModelLoadException.class,
                                () ->
                                        parse(
                                                "{\"model_type\": \"modernbert\", \"hidden_size\": 100, \"num_attention_heads\": 3}"))
                        .getMessage();
        assertTrue(m.contains("/m/config.json") && m.contains("hidden_size"), m);
        m =
                assertThrows(
                                ModelLoadException.class,
                                () ->
                                        parse(
                                                "{\"model_type\": \"modernbert\", \"classifier_pooling\": \"max\"}"))
                        .getMessage();
        assertTrue(m.contains("classifier_pooling"), m);
        m =
                assertThrows(
                                ModelLoadException.class,
                                () ->
                                        parse(
                                                "{\"model_type\": \"modernbert\", \"rope_parameters\": {\"full_attention\": {\"rope_type\": \"yarn\"}}}"))
                        .getMessage();
        assertTrue(m.contains("yarn"), m);
        m =
                assertThrows(
                                ModelLoadException.class,
                                () ->
                                        parse(
                                                "{\"model_type\": \"modernbert\", \"id2label\": {\"0\": \"a\", \"2\": \"c\"}}"))
                        .getMessage();
        assertTrue(m.contains("id2label"), m);
        m =
                assertThrows(
                                ModelLoadException.class,
                                () ->
                                        parse(
                                                "{\"model_type\": \"modernbert\", \"hidden_activation\": \"mish\"}"))
                        .getMessage();
        assertTrue(m.contains("hidden_activation") && m.contains("mish"), m);
    }
}
