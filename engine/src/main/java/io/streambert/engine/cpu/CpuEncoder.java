package io.streambert.engine.cpu;

import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.ModelDirectory;
import io.streambert.engine.ModelInfo;
import io.streambert.engine.PackedBatch;
import io.streambert.engine.Prediction;
import io.streambert.engine.heads.ClassificationHead;
import io.streambert.engine.heads.EmbeddingHead;
import io.streambert.engine.heads.Pooling;
import io.streambert.engine.model.Activation;
import io.streambert.engine.model.LayerWeights;
import io.streambert.engine.model.ModelConfig;
import io.streambert.engine.model.ModernBertWeights;
import io.streambert.engine.tokenizer.ModelTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ModernBERT on the CPU in fp32, unpadded: a batch is packed ids plus cu_seqlens, and every operation works on
 * the packed token rows (attention stays within each sequence; sliding layers visit only their window).
 * Matrix products go through {@link CpuKernels#linear} with weights packed once at load; the row-wise operations
 * through {@link VectorOps} (tested against the plain loops of {@link CpuOps}).
 */
public final class CpuEncoder implements Encoder {
    private static final Logger LOG = LoggerFactory.getLogger(CpuEncoder.class);

    /** One layer, ready to run: norms as f32 arrays, linears packed, the RoPE table and window of its type. */
    private record Layer(float[] attnNormW, float[] attnNormB, PackedLinear qkv, PackedLinear wo,
                         float[] mlpNormW, float[] mlpNormB, PackedLinear wi, PackedLinear mlpWo,
                         RopeTable rope, int halfWindow) {}

    private final ModelConfig cfg;
    private final ModelTokenizer tokenizer;
    private final float[] tokEmb, embNormW, embNormB, finalNormW, finalNormB;
    private final List<Layer> layers;
    private final ClassificationHead classifier;   // null for a bare or masked-LM encoder
    private final EmbeddingHead embedder;
    private final ModelInfo info;

    CpuEncoder(ModelConfig cfg, ModernBertWeights w, ModelTokenizer tokenizer, int maxTokens, Pooling embeddingPooling,
               int embeddingDim, String revision, List<String> labels) {
        this.cfg = cfg;
        this.tokenizer = tokenizer;
        this.tokEmb = w.tokEmbeddings();
        this.embNormW = w.embNormWeight();
        this.embNormB = w.embNormBias();
        this.finalNormW = w.finalNormWeight();
        this.finalNormB = w.finalNormBias();
        int h = cfg.hiddenSize(), inter = cfg.intermediateSize();
        RopeTable global = RopeTable.of(cfg.globalRopeTheta(), cfg.headDim(), maxTokens);
        RopeTable local = cfg.localRopeTheta() == cfg.globalRopeTheta() ? global : RopeTable.of(cfg.localRopeTheta(), cfg.headDim(), maxTokens);
        List<Layer> ls = new ArrayList<>();
        for (int i = 0; i < cfg.numLayers(); i++) {
            LayerWeights l = w.layers().get(i);
            ls.add(new Layer(l.attnNormWeight(), l.attnNormBias(),
                    PackedLinear.pack(l.wqkv(), l.wqkvBias(), 3 * h, h), PackedLinear.pack(l.wo(), l.woBias(), h, h),
                    l.mlpNormWeight(), l.mlpNormBias(),
                    PackedLinear.pack(l.wi(), l.wiBias(), 2 * inter, h), PackedLinear.pack(l.mlpWo(), l.mlpWoBias(), h, inter),
                    cfg.isGlobal(i) ? global : local, cfg.halfWindow(i)));
        }
        this.layers = List.copyOf(ls);
        if (w.head() != null) {
            this.classifier = new ClassificationHead(w.head(), h, Pooling.parse(cfg.classifierPooling(), "classifier_pooling"),
                    cfg.classifierActivation(), cfg.normEps(), labels, cfg.multiLabel());
        } else {
            this.classifier = null;
        }
        this.embedder = new EmbeddingHead(embeddingPooling, h, embeddingDim);
        this.info = new ModelInfo(cfg.name(), revision, classifier == null ? List.of() : classifier.labels(),
                classifier != null && classifier.multiLabel(), h, embeddingDim, maxTokens, "cpu");
    }

    /** Loads config.json, the safetensors weights, tokenizer.json and any sentence-transformers pooling from {@code dir}. */
    public static CpuEncoder open(Path dir, EncoderOptions options) {
        ModelDirectory m = ModelDirectory.load(dir, options);
        // The kernels' workers are per process (one encoder per process in the service); 0 keeps the current setting.
        if (options.threads() > 0) CpuParallel.setThreads(options.threads());
        ModelConfig cfg = m.cfg();
        int maxTokens = m.maxTokens(), embeddingDim = m.embeddingDim();
        Pooling pooling = m.embeddingPooling();
        String revision = m.revision();
        ModelTokenizer tok = ModelTokenizer.load(dir, maxTokens, options.truncation(), cfg.sepTokenId(), cfg.vocabSize(), cfg.name());
        try {
            CpuEncoder e = new CpuEncoder(cfg, m.weights(), tok, maxTokens, pooling, embeddingDim, revision, m.labels());
            LOG.info("loaded {} (revision {}) on cpu: {} layers, hidden {}, {} labels, max {} tokens, embedding {} pooling dim {}",
                    cfg.name(), revision, cfg.numLayers(), cfg.hiddenSize(), e.info.labels().size(), maxTokens,
                    pooling.name().toLowerCase(), embeddingDim);
            return e;
        } catch (RuntimeException e) {
            tok.close();
            throw e;
        }
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public int[] tokenize(String text) {
        return tokenizer.encode(text);
    }

    @Override
    public synchronized List<Prediction> encode(List<int[]> sequences) {
        if (sequences.isEmpty()) return List.of();
        int[] cu = validateAndOffsets(sequences);
        float[] hidden = forward(pack(sequences, cu[cu.length - 1]), cu);
        float[][] logits = classifier == null ? null : classifier.logits(hidden, cu, cfg.hiddenSize());
        List<Prediction> out = new ArrayList<>(sequences.size());
        for (int s = 0; s < sequences.size(); s++) {
            int len = cu[s + 1] - cu[s];
            float[] emb = embedder.embed(hidden, cu[s], len);
            if (classifier == null) {
                out.add(new Prediction(len, new float[0], new float[0], null, emb));
            } else {
                float[] scores = classifier.scores(logits[s]);
                out.add(new Prediction(len, logits[s], scores, classifier.label(scores), emb));
            }
        }
        return out;
    }

    /**
     * The final hidden states (after final_norm) of each sequence, [len * hidden] row-major: what the heads read.
     * For tests and tools that compare against a reference layer by layer.
     */
    public synchronized List<float[]> hiddenStates(List<int[]> sequences) {
        if (sequences.isEmpty()) return List.of();
        int[] cu = validateAndOffsets(sequences);
        float[] hidden = forward(pack(sequences, cu[cu.length - 1]), cu);
        int h = cfg.hiddenSize();
        List<float[]> out = new ArrayList<>();
        for (int s = 0; s < sequences.size(); s++) out.add(Arrays.copyOfRange(hidden, cu[s] * h, cu[s + 1] * h));
        return out;
    }

    /** cu_seqlens of the batch, after {@link PackedBatch}'s checks. */
    private int[] validateAndOffsets(List<int[]> sequences) {
        return PackedBatch.cuSeqlens(sequences, info.maxTokens(), cfg.vocabSize(),
                Math.max(3L * cfg.hiddenSize(), 2L * cfg.intermediateSize()));
    }

    private static int[] pack(List<int[]> sequences, int tokens) {
        int[] ids = new int[tokens];
        int at = 0;
        for (int[] s : sequences) {
            System.arraycopy(s, 0, ids, at, s.length);
            at += s.length;
        }
        return ids;
    }

    /** The encoder on packed ids: embeddings, the layers, final norm. Returns [tokens, hidden]. */
    float[] forward(int[] ids, int[] cu) {
        int n = ids.length, h = cfg.hiddenSize(), inter = cfg.intermediateSize(), heads = cfg.numHeads(), hd = cfg.headDim();
        float eps = cfg.normEps();
        float[] x = new float[n * h];
        for (int t = 0; t < n; t++) System.arraycopy(tokEmb, ids[t] * h, x, t * h, h);
        VectorOps.layerNorm(x, n, h, embNormW, embNormB, eps, x);

        float[] normed = new float[n * h], qkv = new float[n * 3 * h], attn = new float[n * h], proj = new float[n * h];
        float[] up = new float[n * 2 * inter], act = new float[n * inter];
        boolean exactGelu = cfg.hiddenActivation() == Activation.GELU;
        for (Layer l : layers) {
            float[] in = x;
            if (l.attnNormW() != null) {      // layer 0 has no attn_norm: the embedding norm already normalised x
                VectorOps.layerNorm(x, n, h, l.attnNormW(), l.attnNormB(), eps, normed);
                in = normed;
            }
            CpuKernels.linear(in, n, l.qkv(), qkv);
            VectorOps.rope(qkv, cu, heads, hd, l.rope());
            CpuKernels.attention(qkv, cu, heads, hd, l.halfWindow(), attn);
            CpuKernels.linear(attn, n, l.wo(), proj);
            VectorOps.addInPlace(x, proj, n * h);

            VectorOps.layerNorm(x, n, h, l.mlpNormW(), l.mlpNormB(), eps, normed);
            CpuKernels.linear(normed, n, l.wi(), up);
            if (exactGelu) {
                VectorOps.geglu(up, n, inter, act);
            } else {
                gatedActivation(up, n, inter, cfg.hiddenActivation(), act);
            }
            CpuKernels.linear(act, n, l.mlpWo(), proj);
            VectorOps.addInPlace(x, proj, n * h);
        }
        VectorOps.layerNorm(x, n, h, finalNormW, finalNormB, eps, x);
        return x;
    }

    /** act(u[:, :inter]) * u[:, inter:] for a hidden_activation other than exact GELU. */
    private static void gatedActivation(float[] u, int rows, int inter, Activation a, float[] y) {
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < inter; i++) y[r * inter + i] = a.apply(u[r * 2 * inter + i]) * u[r * 2 * inter + inter + i];
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
