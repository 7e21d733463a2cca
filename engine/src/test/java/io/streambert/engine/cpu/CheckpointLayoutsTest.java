package io.streambert.engine.cpu;

import static io.streambert.engine.TestModels.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Engine;
import io.streambert.engine.Prediction;
import io.streambert.engine.TestModels;
import io.streambert.engine.TestModels.Case;
import io.streambert.engine.model.Bf16;
import io.streambert.engine.model.DType;
import io.streambert.engine.model.ModelLoadException;
import io.streambert.engine.model.Rewrite;
import io.streambert.engine.model.SafeTensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same model stored in other dtypes, config layouts, shardings and namings must give the same
 * outputs.
 */
class CheckpointLayoutsTest {
    @TempDir static Path tmp;

    static List<int[]> batch;
    static Outputs original;

    record Outputs(List<Prediction> predictions, List<float[]> hidden) {}

    @BeforeAll
    static void reference() {
        // short, around the window (16), and the longest case: enough to see every layer type, kept
        // small for speed
        Set<String> ids = Set.of("t0", "t1", "t2", "t3", "n5", "n10", "n13", "n17");
        batch = new ArrayList<>();
        for (Case c : TestModels.cases()) if (ids.contains(c.id())) batch.add(c.inputIds());
        assertEquals(ids.size(), batch.size());
        original = run(TestModels.tinyA(), EncoderOptions.defaults());
    }

    static Outputs run(Path dir, EncoderOptions options) {
        try (Engine e = CpuBackend.open(dir, options)) {
            return new Outputs(e.encode(batch), e.hiddenStates(batch));
        }
    }

    static void assertSame(Outputs a, Outputs b, float tol, String what) {
        for (int i = 0; i < batch.size(); i++) {
            Prediction p = a.predictions().get(i), q = b.predictions().get(i);
            assertTrue(
                    maxAbsDiff(a.hidden().get(i), b.hidden().get(i)) <= tol, what + " hidden " + i);
            assertTrue(maxAbsDiff(p.logits(), q.logits()) <= tol, what + " logits " + i);
            assertTrue(maxAbsDiff(p.embedding(), q.embedding()) <= tol, what + " embedding " + i);
            assertEquals(p.label(), q.label(), what + " label " + i);
        }
    }

    static float maxLogitDiff(Outputs a, Outputs b) {
        float m = 0;
        for (int i = 0; i < batch.size(); i++)
            m =
                    Math.max(
                            m,
                            maxAbsDiff(
                                    a.predictions().get(i).logits(),
                                    b.predictions().get(i).logits()));
        return m;
    }

    static UnaryOperator<float[]> each(UnaryOperator<Float> f) {
        return a -> {
            for (int i = 0; i < a.length; i++) a[i] = f.apply(a[i]);
            return a;
        };
    }

    static DType storedDtype(Path dir) {
        try (SafeTensorsFile f = SafeTensorsFile.open(dir.resolve("model.safetensors"))) {
            return f.tensors().values().iterator().next().dtype();
        }
    }

    @Test
    void bf16WeightsEqualF32WeightsRoundedToBf16() {
        Path bf16 =
                Rewrite.checkpoint(
                        TestModels.tinyA(), tmp.resolve("bf16"), DType.BF16, n -> n, a -> a);
        Path rounded =
                Rewrite.checkpoint(
                        TestModels.tinyA(),
                        tmp.resolve("bf16-rounded-f32"),
                        DType.F32,
                        n -> n,
                        each(Bf16::round));
        assertEquals(DType.BF16, storedDtype(bf16));
        Outputs b = run(bf16, EncoderOptions.defaults()),
                r = run(rounded, EncoderOptions.defaults());
        assertSame(b, r, 1e-5f, "bf16");
        assertTrue(
                maxLogitDiff(b, original) > 0,
                "bf16 rounding must change something, or this test proves nothing");
    }

    @Test
    void f16WeightsEqualF32WeightsRoundedToF16() {
        Path f16 =
                Rewrite.checkpoint(
                        TestModels.tinyA(), tmp.resolve("f16"), DType.F16, n -> n, a -> a);
        Path rounded =
                Rewrite.checkpoint(
                        TestModels.tinyA(),
                        tmp.resolve("f16-rounded-f32"),
                        DType.F32,
                        n -> n,
                        each(x -> Float.float16ToFloat(Float.floatToFloat16(x))));
        assertEquals(DType.F16, storedDtype(f16));
        assertSame(
                run(f16, EncoderOptions.defaults()),
                run(rounded, EncoderOptions.defaults()),
                1e-5f,
                "f16");
    }

    /**
     * The reference's new_style(): layer_types + rope_parameters + sliding_window; old keys dropped
     * so they cannot be what is read.
     */
    static void newStyle(ObjectNode c) {
        int n = c.get("global_attn_every_n_layers").asInt(),
                layers = c.get("num_hidden_layers").asInt();
        ArrayNode types = c.putArray("layer_types");
        for (int i = 0; i < layers; i++)
            types.add(i % n == 0 ? "full_attention" : "sliding_attention");
        ObjectNode rp = c.putObject("rope_parameters");
        rp.putObject("full_attention")
                .put("rope_type", "default")
                .put("rope_theta", c.remove("global_rope_theta").asDouble());
        rp.putObject("sliding_attention")
                .put("rope_type", "default")
                .put("rope_theta", c.remove("local_rope_theta").asDouble());
        c.put("sliding_window", c.get("local_attention").asInt());
        c.remove("global_attn_every_n_layers");
    }

    @Test
    void newerConfigLayoutGivesTheSameOutputs() {
        Path dir = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("new-style"));
        Rewrite.editConfig(dir, CheckpointLayoutsTest::newStyle);
        assertSame(original, run(dir, EncoderOptions.defaults()), 1e-6f, "new-style config");
    }

    @Test
    void layerTypesDecideWhichLayersAreGlobal() {
        Path allGlobalNew = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("all-global-new"));
        Rewrite.editConfig(
                allGlobalNew,
                c -> {
                    newStyle(c);
                    ArrayNode t = c.putArray("layer_types");
                    for (int i = 0; i < c.get("num_hidden_layers").asInt(); i++)
                        t.add("full_attention");
                });
        Path allGlobalOld = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("all-global-old"));
        Rewrite.editConfig(allGlobalOld, c -> c.put("global_attn_every_n_layers", 1));
        Outputs n = run(allGlobalNew, EncoderOptions.defaults()),
                o = run(allGlobalOld, EncoderOptions.defaults());
        assertSame(n, o, 1e-6f, "all-global");
        assertTrue(
                maxLogitDiff(n, original) > 1e-4,
                "global attention on sliding layers must change long sequences");
    }

    @Test
    void slidingWindowAloneIsTransformersHalfWindow() {
        Path dir = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("sliding-only"));
        Rewrite.editConfig(
                dir,
                c -> {
                    newStyle(c);
                    c.put("sliding_window", c.remove("local_attention").asInt() / 2);
                });
        assertSame(original, run(dir, EncoderOptions.defaults()), 1e-6f, "sliding_window only");
    }

    @Test
    void shardedCheckpointGivesTheSameOutputs() {
        Path dir = Rewrite.sharded(TestModels.tinyA(), tmp.resolve("sharded"), 3);
        assertTrue(Files.exists(dir.resolve(Rewrite.shardName(2, 3))));
        assertTrue(!Files.exists(dir.resolve("model.safetensors")));
        assertSame(original, run(dir, EncoderOptions.defaults()), 1e-6f, "sharded");
    }

    @Test
    void namesWithoutModelPrefixGiveTheSameOutputs() {
        Path dir =
                Rewrite.checkpoint(
                        TestModels.tinyA(),
                        tmp.resolve("no-prefix"),
                        DType.F32,
                        n -> n.startsWith("model.") ? n.substring(6) : n,
                        a -> a);
        assertSame(original, run(dir, EncoderOptions.defaults()), 1e-6f, "no prefix");
    }

    @Test
    void sentenceTransformersPoolingSwitchesEmbeddingsToCls() throws IOException {
        Path dir = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("st-cls"));
        Files.writeString(
                dir.resolve("modules.json"),
                """
                [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                 {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]""");
        Files.createDirectories(dir.resolve("1_Pooling"));
        Files.writeString(
                dir.resolve("1_Pooling/config.json"),
                """
                {"word_embedding_dimension": 128, "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false,
                 "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}""");
        Outputs cls = run(dir, EncoderOptions.defaults());
        for (int i = 0; i < batch.size(); i++) {
            float[] h = cls.hidden().get(i);
            float[] first = normalise(java.util.Arrays.copyOf(h, 128));
            assertTrue(
                    maxAbsDiff(first, cls.predictions().get(i).embedding()) <= 1e-6,
                    "cls embedding " + i);
            assertTrue(
                    maxAbsDiff(
                                    cls.predictions().get(i).logits(),
                                    original.predictions().get(i).logits())
                            <= 1e-6,
                    "classifier pooling stays from config.json");
        }
        assertTrue(
                maxAbsDiff(
                                cls.predictions().get(1).embedding(),
                                original.predictions().get(1).embedding())
                        > 1e-3);
        Outputs overridden = run(dir, EncoderOptions.defaults().withPooling("mean"));
        assertSame(original, overridden, 1e-6f, "pooling option overrides sentence-transformers");

        Files.writeString(
                dir.resolve("modules.json"),
                """
                [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                 {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]""");
        String m =
                assertThrows(
                                ModelLoadException.class,
                                () -> CpuBackend.open(dir, EncoderOptions.defaults()))
                        .getMessage();
        assertTrue(m.contains("modules.json") && m.contains("Dense"), m);
    }

    static float[] normalise(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) (v[i] / Math.sqrt(s));
        return out;
    }

    @Test
    void matryoshkaTruncatesThenRenormalises() {
        Outputs m = run(TestModels.tinyA(), EncoderOptions.defaults().withEmbeddingDim(32));
        for (int i = 0; i < batch.size(); i++) {
            float[] full = original.predictions().get(i).embedding();
            float[] want = normalise(java.util.Arrays.copyOf(full, 32));
            assertEquals(32, m.predictions().get(i).embedding().length);
            assertTrue(
                    maxAbsDiff(want, m.predictions().get(i).embedding()) <= 1e-6,
                    "matryoshka " + i);
        }
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        CpuBackend.open(
                                TestModels.tinyA(),
                                EncoderOptions.defaults().withEmbeddingDim(129)));
    }

    @Test
    void multiLabelScoresAreSigmoids() {
        Path dir = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("multi-label"));
        Rewrite.editConfig(dir, c -> c.put("problem_type", "multi_label_classification"));
        try (Engine e = CpuBackend.open(dir, EncoderOptions.defaults())) {
            assertTrue(e.info().multiLabel());
            Prediction p = e.encode(List.of(batch.get(1))).getFirst();
            for (int k = 0; k < p.logits().length; k++)
                assertEquals(1 / (1 + Math.exp(-p.logits()[k])), p.scores()[k], 1e-6);
        }
    }

    @Test
    void bareEncoderHasEmbeddingsButNoLabels() {
        Path dir =
                Rewrite.checkpoint(
                        TestModels.tinyA(), tmp.resolve("bare"), DType.F32, n -> n, a -> a);
        Map<String, Rewrite.Tensor> t = Rewrite.readAll(dir.resolve("model.safetensors"));
        t.keySet().removeIf(n -> n.startsWith("head.") || n.startsWith("classifier."));
        Rewrite.write(dir.resolve("model.safetensors"), t, DType.F32);
        try (Engine e = CpuBackend.open(dir, EncoderOptions.defaults())) {
            assertTrue(e.info().labels().isEmpty());
            Prediction p = e.encode(List.of(batch.get(1))).getFirst();
            assertNull(p.label());
            assertEquals(0, p.logits().length);
            assertTrue(
                    maxAbsDiff(original.predictions().get(1).embedding(), p.embedding()) <= 1e-6);
        }
    }

    @Test
    void maskedLmCheckpointIgnoresDecoderAndHead() {
        Path dir =
                Rewrite.checkpoint(
                        TestModels.tinyA(), tmp.resolve("mlm"), DType.F32, n -> n, a -> a);
        Map<String, Rewrite.Tensor> t = Rewrite.readAll(dir.resolve("model.safetensors"));
        t.keySet().removeIf(n -> n.startsWith("classifier."));
        t.put("decoder.bias", new Rewrite.Tensor(new float[704], new long[] {704}));
        Rewrite.write(dir.resolve("model.safetensors"), t, DType.F32);
        try (Engine e = CpuBackend.open(dir, EncoderOptions.defaults())) {
            assertTrue(e.info().labels().isEmpty());
            assertTrue(
                    maxAbsDiff(
                                    original.predictions().get(3).embedding(),
                                    e.encode(List.of(batch.get(3))).getFirst().embedding())
                            <= 1e-6);
        }
    }

    @Test
    void unknownExtraTensorIsIgnoredButAnExtraLayerIsAnError() {
        Path extra =
                Rewrite.checkpoint(
                        TestModels.tinyA(), tmp.resolve("extra"), DType.F32, n -> n, a -> a);
        Map<String, Rewrite.Tensor> t = Rewrite.readAll(extra.resolve("model.safetensors"));
        t.put("pooler.dense.weight", new Rewrite.Tensor(new float[4], new long[] {2, 2}));
        t.put(
                "model.layers.1.attn.rotary_emb.inv_freq",
                new Rewrite.Tensor(new float[32], new long[] {32}));
        Rewrite.write(extra.resolve("model.safetensors"), t, DType.F32);
        assertSame(original, run(extra, EncoderOptions.defaults()), 1e-6f, "extra tensor");

        Path layer =
                Rewrite.checkpoint(
                        TestModels.tinyA(), tmp.resolve("extra-layer"), DType.F32, n -> n, a -> a);
        t.remove("pooler.dense.weight");
        t.remove("model.layers.1.attn.rotary_emb.inv_freq");
        t.put("model.layers.4.attn.Wqkv.weight", t.get("model.layers.3.attn.Wqkv.weight"));
        Rewrite.write(layer.resolve("model.safetensors"), t, DType.F32);
        ModelLoadException e =
                assertThrows(
                        ModelLoadException.class,
                        () -> CpuBackend.open(layer, EncoderOptions.defaults()));
        assertTrue(
                e.getMessage().contains("model.layers.4.attn.Wqkv.weight")
                        && e.getMessage().contains("model.safetensors"),
                e.getMessage());
    }
}
