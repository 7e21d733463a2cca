package io.streambert.engine.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All weights of a ModernBERT checkpoint, checked against its config and widened to f32.
 *
 * <p>Which tensors are accepted:
 *
 * <ul>
 *   <li>required: embeddings, every layer's linears and norms (no attn_norm on layer 0),
 *       final_norm; biases when the config says so (attention_bias, mlp_bias, norm_bias); a bias
 *       present although the flag is off is used (as the reference does).
 *   <li>classification checkpoint ({@code classifier.weight} present): head.dense, head.norm and
 *       classifier are required and loaded; labels come from the classifier's row count.
 *   <li>masked-LM checkpoint ({@code decoder.*} present): {@code head.*} and {@code decoder.*} are
 *       the MLM head and are ignored (an embedding-only encoder results).
 *   <li>bare encoder: no head.
 * </ul>
 *
 * Unexpected tensors: an unknown name under {@code embeddings.}, {@code layers.} or {@code
 * final_norm.} means the checkpoint is not this architecture or does not match config.json (e.g.
 * more layers than num_hidden_layers, absolute position embeddings) and is an ERROR; any other
 * unknown tensor is logged as a warning and ignored (checkpoints carry extras such as pooler or
 * task heads this engine does not run), and so are saved RoPE buffers ({@code rotary_emb.*}, {@code
 * inv_freq}), which the engine recomputes from the config.
 */
public record ModernBertWeights(
        float[] tokEmbeddings,
        float[] embNormWeight,
        float[] embNormBias,
        List<LayerWeights> layers,
        float[] finalNormWeight,
        float[] finalNormBias,
        HeadWeights head) {
    private static final Logger LOG = LoggerFactory.getLogger(ModernBertWeights.class);
    private static final Pattern ENCODER =
            Pattern.compile("^(embeddings\\.|layers\\.|final_norm\\.).*");

    public static ModernBertWeights load(Checkpoint ck, ModelConfig cfg) {
        Loader l = new Loader(ck);
        long h = cfg.hiddenSize(), inter = cfg.intermediateSize(), v = cfg.vocabSize();
        l.checkRequired(cfg);
        l.checkHeap();

        float[] emb = l.req("embeddings.tok_embeddings.weight", v, h);
        float[] embNormW = l.req("embeddings.norm.weight", h);
        float[] embNormB = l.bias("embeddings.norm.bias", cfg.normBias(), h);
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < cfg.numLayers(); i++) {
            String p = "layers." + i + ".";
            layers.add(
                    new LayerWeights(
                            i == 0 ? null : l.req(p + "attn_norm.weight", h),
                            i == 0 ? null : l.bias(p + "attn_norm.bias", cfg.normBias(), h),
                            l.req(p + "attn.Wqkv.weight", 3 * h, h),
                            l.bias(p + "attn.Wqkv.bias", cfg.attentionBias(), 3 * h),
                            l.req(p + "attn.Wo.weight", h, h),
                            l.bias(p + "attn.Wo.bias", cfg.attentionBias(), h),
                            l.req(p + "mlp_norm.weight", h),
                            l.bias(p + "mlp_norm.bias", cfg.normBias(), h),
                            l.req(p + "mlp.Wi.weight", 2 * inter, h),
                            l.bias(p + "mlp.Wi.bias", cfg.mlpBias(), 2 * inter),
                            l.req(p + "mlp.Wo.weight", h, inter),
                            l.bias(p + "mlp.Wo.bias", cfg.mlpBias(), h)));
        }
        float[] finalW = l.req("final_norm.weight", h);
        float[] finalB = l.bias("final_norm.bias", cfg.normBias(), h);

        HeadWeights head = null;
        boolean mlm = ck.names().stream().anyMatch(n -> n.startsWith("decoder."));
        if (ck.has("classifier.weight")) {
            long[] shape = ck.info("classifier.weight").shape();
            if (shape.length != 2 || shape[1] != h || shape[0] < 1) {
                throw new ModelLoadException(
                        ck.where("classifier.weight")
                                + ": shape "
                                + ck.info("classifier.weight").shapeString()
                                + ", expected [num_labels, "
                                + h
                                + "]");
            }
            int labels = (int) shape[0];
            head =
                    new HeadWeights(
                            l.req("head.dense.weight", h, h),
                            l.bias("head.dense.bias", cfg.classifierBias(), h),
                            l.req("head.norm.weight", h),
                            l.bias("head.norm.bias", cfg.normBias(), h),
                            l.req("classifier.weight", labels, h),
                            l.bias("classifier.bias", false, labels),
                            labels);
        } else if (mlm) {
            for (String n : ck.names())
                if (n.startsWith("decoder.") || n.startsWith("head.")) l.used.add(n);
            LOG.info(
                    "{}: masked-LM checkpoint; its decoder and prediction head are not needed and are ignored",
                    ck.source());
        }
        l.checkUnexpected();
        return new ModernBertWeights(
                emb, embNormW, embNormB, List.copyOf(layers), finalW, finalB, head);
    }

    /** Reads tensors and remembers which were used, so the rest can be reported. */
    private static final class Loader {
        final Checkpoint ck;
        final Set<String> used = new TreeSet<>();

        Loader(Checkpoint ck) {
            this.ck = ck;
        }

        /**
         * Checks every required tensor is there first, so one error lists the missing ones (the
         * first 8 and a count; names are made one at a time, never a list for every layer).
         */
        void checkRequired(ModelConfig cfg) {
            List<String> shown = new ArrayList<>();
            long[] missing = {0};
            java.util.function.Consumer<String> need =
                    n -> {
                        if (!ck.has(n)) {
                            if (shown.size() < 8) shown.add(n);
                            missing[0]++;
                        }
                    };
            for (String n :
                    List.of(
                            "embeddings.tok_embeddings.weight",
                            "embeddings.norm.weight",
                            "final_norm.weight")) need.accept(n);
            for (int i = 0; i < cfg.numLayers(); i++) {
                String p = "layers." + i + ".";
                if (i > 0) need.accept(p + "attn_norm.weight");
                for (String n :
                        List.of(
                                "attn.Wqkv.weight",
                                "attn.Wo.weight",
                                "mlp_norm.weight",
                                "mlp.Wi.weight",
                                "mlp.Wo.weight")) need.accept(p + n);
            }
            if (ck.has("classifier.weight")) {
                need.accept("head.dense.weight");
                need.accept("head.norm.weight");
            }
            if (missing[0] > 0) {
                throw new ModelLoadException(
                        ck.source()
                                + ": missing "
                                + missing[0]
                                + " required tensor(s) for a "
                                + cfg.numLayers()
                                + "-layer ModernBERT: "
                                + String.join(", ", shown)
                                + (missing[0] > 8 ? ", ..." : "")
                                + " (names may carry a 'model.' prefix)");
            }
        }

        /**
         * Refuses a checkpoint whose f32 weights cannot fit the heap, with a message instead of an
         * OutOfMemoryError.
         */
        void checkHeap() {
            long elements = 0;
            for (String n : ck.names()) {
                if (!(ENCODER.matcher(n).matches()
                        || n.startsWith("head.")
                        || n.startsWith("classifier."))) continue;
                TensorInfo t = ck.info(n);
                if (t.dtype().isFloat()) elements += t.elements();
            }
            long bytes = 4 * elements;
            long max = Runtime.getRuntime().maxMemory();
            if (max != Long.MAX_VALUE && bytes > max) {
                throw new ModelLoadException(
                        ck.source()
                                + ": "
                                + elements
                                + " weights need "
                                + (bytes >> 20)
                                + " MiB as f32, more than the "
                                + (max >> 20)
                                + " MiB heap (-Xmx); give the JVM more memory");
            }
        }

        float[] req(String name, long... shape) {
            used.add(name);
            return ck.floats(name, shape);
        }

        float[] bias(String name, boolean required, long n) {
            if (!ck.has(name)) {
                if (required)
                    throw new ModelLoadException(
                            ck.source()
                                    + ": missing tensor '"
                                    + name
                                    + "' (config.json asks for biases)");
                return null;
            }
            used.add(name);
            return ck.floats(name, n);
        }

        void checkUnexpected() {
            List<String> wrong = new ArrayList<>(), extra = new ArrayList<>();
            for (String n : ck.names()) {
                if (used.contains(n)) continue;
                Matcher m = ENCODER.matcher(n);
                // RoPE frequency buffers are recomputed from the config; a checkpoint that saved
                // them is still ModernBERT
                boolean ropeBuffer = n.contains("rotary_emb.") || n.endsWith(".inv_freq");
                (m.matches() && !ropeBuffer ? wrong : extra).add(n);
            }
            if (!wrong.isEmpty()) {
                throw new ModelLoadException(
                        ck.where(wrong.getFirst())
                                + ": unexpected encoder tensor ("
                                + wrong.size()
                                + " in all: "
                                + String.join(", ", wrong.subList(0, Math.min(5, wrong.size())))
                                + "); the checkpoint does not match config.json or is not a ModernBERT");
            }
            if (!extra.isEmpty()) {
                LOG.warn(
                        "{}: ignoring {} tensor(s) this engine does not use: {}",
                        ck.source(),
                        extra.size(),
                        String.join(", ", extra.subList(0, Math.min(5, extra.size())))
                                + (extra.size() > 5 ? ", ..." : ""));
            }
        }
    }
}
