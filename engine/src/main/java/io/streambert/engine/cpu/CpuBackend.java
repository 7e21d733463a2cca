package io.streambert.engine.cpu;

import io.streambert.engine.Backend;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Engine;
import io.streambert.engine.ModelDirectory;
import io.streambert.engine.PackedBatch;
import io.streambert.engine.heads.Pooling;
import io.streambert.engine.model.Activation;
import io.streambert.engine.model.LayerWeights;
import io.streambert.engine.model.ModelConfig;
import io.streambert.engine.model.ModernBertWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ModernBERT on the CPU, unpadded: a batch is packed ids plus cu_seqlens, and every operation works
 * on the packed token rows (attention stays within each sequence; sliding layers visit only their
 * window). Matrix products go through {@link CpuKernels#linear} with weights packed once at load;
 * the row-wise operations through {@link VectorOps} (tested against plain-loop references). The
 * classification head runs here too, on the same kernels; {@link Engine} does the rest.
 *
 * <p>Precision ({@link Precision}, {@link EncoderOptions#precision()}): fp32 runs the Java kernels;
 * int8 and bf16 run the four linear layers of every encoder layer through the native kernels
 * ({@link Int8Linear}, {@link Bf16Linear}) and attention in bf16 ({@link Bf16Attention});
 * embeddings, LayerNorm, RoPE, GeGLU, the residual stream, softmax and the heads stay fp32. A mode
 * whose kernel this machine lacks runs fp32 and logs why.
 */
public final class CpuBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(CpuBackend.class);

    /**
     * One layer, ready to run: norms as f32 arrays, linears packed, the RoPE table and window of
     * its type.
     */
    private record Layer(
            float[] attnNormW,
            float[] attnNormB,
            LinearOp qkv,
            LinearOp wo,
            float[] mlpNormW,
            float[] mlpNormB,
            LinearOp wi,
            LinearOp mlpWo,
            RopeTable rope,
            int halfWindow) {}

    private final ModelConfig cfg;
    private final float[] tokEmb, embNormW, embNormB, finalNormW, finalNormB;
    private final List<Layer> layers;
    private final ClassificationHead classifier; // null for a bare or masked-LM encoder
    private final Precision precision;
    private final AttentionOp attention;

    CpuBackend(ModelDirectory m) {
        this(m, Precision.FP32, Precision.FP32::linear, CpuKernels::attention);
    }

    /**
     * With the linear layers built by {@code linears} and {@code attention} (tests put references
     * here); {@code precision} labels them.
     */
    CpuBackend(
            ModelDirectory m,
            Precision precision,
            LinearOp.Factory linears,
            AttentionOp attention) {
        this.precision = precision;
        this.attention = attention;
        ModelConfig cfg = m.cfg();
        ModernBertWeights w = m.weights();
        int maxTokens = m.maxTokens();
        this.cfg = cfg;
        this.tokEmb = w.tokEmbeddings();
        this.embNormW = w.embNormWeight();
        this.embNormB = w.embNormBias();
        this.finalNormW = w.finalNormWeight();
        this.finalNormB = w.finalNormBias();
        int h = cfg.hiddenSize(), inter = cfg.intermediateSize();
        RopeTable global = RopeTable.of(cfg.globalRopeTheta(), cfg.headDim(), maxTokens);
        RopeTable local =
                cfg.localRopeTheta() == cfg.globalRopeTheta()
                        ? global
                        : RopeTable.of(cfg.localRopeTheta(), cfg.headDim(), maxTokens);
        List<Layer> ls = new ArrayList<>();
        for (int i = 0; i < cfg.numLayers(); i++) {
            LayerWeights l = w.layers().get(i);
            ls.add(
                    new Layer(
                            l.attnNormWeight(),
                            l.attnNormBias(),
                            linears.make(l.wqkv(), l.wqkvBias(), 3 * h, h),
                            linears.make(l.wo(), l.woBias(), h, h),
                            l.mlpNormWeight(),
                            l.mlpNormBias(),
                            linears.make(l.wi(), l.wiBias(), 2 * inter, h),
                            linears.make(l.mlpWo(), l.mlpWoBias(), h, inter),
                            cfg.isGlobal(i) ? global : local,
                            cfg.halfWindow(i)));
        }
        this.layers = List.copyOf(ls);
        if (w.head() != null) {
            this.classifier =
                    new ClassificationHead(
                            w.head(),
                            h,
                            Pooling.parse(cfg.classifierPooling(), "classifier_pooling"),
                            cfg.classifierActivation(),
                            cfg.normEps());
        } else {
            this.classifier = null;
        }
    }

    /**
     * The CPU engine for the model in {@code dir}: config.json, the safetensors weights,
     * tokenizer.json and any sentence-transformers pooling, read once by {@link Engine#open}.
     */
    public static Engine open(Path dir, EncoderOptions options) {
        Precision p = Precision.parse(options.precision());
        return p == Precision.AUTO ? PrecisionCheck.open(dir, options) : open(dir, options, p);
    }

    /**
     * As {@link #open(Path, EncoderOptions)}, in {@code precision} (fp32 where its kernel is
     * missing; auto: {@link PrecisionCheck}).
     */
    public static Engine open(Path dir, EncoderOptions options, Precision precision) {
        if (precision == Precision.AUTO) return PrecisionCheck.open(dir, options);
        Precision runs = precision.available();
        if (runs != precision)
            LOG.warn(
                    "precision {} requested, but {}: running {}",
                    precision.label(),
                    NativeCpu.describe(),
                    runs.label());
        else if (runs != Precision.FP32)
            LOG.info("precision {}: {}", runs.label(), NativeCpu.describe());
        return open(dir, options, runs, runs::linear, attentionFor(runs));
    }

    /** With the given kernels (tests put plain-loop references here). */
    static Engine open(
            Path dir,
            EncoderOptions options,
            Precision precision,
            LinearOp.Factory linears,
            AttentionOp attention) {
        // The kernels' workers are per process (one encoder per process in the service); 0 keeps
        // the current setting.
        if (options.threads() > 0) CpuParallel.setThreads(options.threads());
        return Engine.open(dir, options, m -> new CpuBackend(m, precision, linears, attention));
    }

    /** bf16 attention in the bf16 and int8 modes (where it runs), fp32 otherwise. */
    static AttentionOp attentionFor(Precision p) {
        return p != Precision.FP32 && Bf16Attention.available()
                ? Bf16Attention::attention
                : CpuKernels::attention;
    }

    /** The precision the matrix products run in. */
    public Precision precision() {
        return precision;
    }

    /** The precision of {@code e}'s matrix products when it runs on this backend, else null. */
    public static Precision precisionOf(io.streambert.engine.Encoder e) {
        return e instanceof Engine g && g.backend() instanceof CpuBackend b ? b.precision : null;
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public Output forward(PackedBatch batch) {
        float[] hidden = forward(batch.ids(), batch.cuSeqlens());
        float[][] logits =
                classifier == null
                        ? null
                        : classifier.logits(hidden, batch.cuSeqlens(), cfg.hiddenSize());
        return new Output(hidden, logits, null, null);
    }

    @Override
    public float[] hiddenStates(PackedBatch batch) {
        return forward(batch.ids(), batch.cuSeqlens());
    }

    /** The encoder on packed ids: embeddings, the layers, final norm. Returns [tokens, hidden]. */
    float[] forward(int[] ids, int[] cu) {
        int n = ids.length,
                h = cfg.hiddenSize(),
                inter = cfg.intermediateSize(),
                heads = cfg.numHeads(),
                hd = cfg.headDim();
        float eps = cfg.normEps();
        float[] x = new float[n * h];
        for (int t = 0; t < n; t++) System.arraycopy(tokEmb, ids[t] * h, x, t * h, h);
        VectorOps.layerNorm(x, n, h, embNormW, embNormB, eps, x);

        float[] normed = new float[n * h],
                qkv = new float[n * 3 * h],
                attn = new float[n * h],
                proj = new float[n * h];
        float[] up = new float[n * 2 * inter], act = new float[n * inter];
        boolean exactGelu = cfg.hiddenActivation() == Activation.GELU;
        for (Layer l : layers) {
            float[] in = x;
            if (l.attnNormW()
                    != null) { // layer 0 has no attn_norm: the embedding norm already normalised x
                VectorOps.layerNorm(x, n, h, l.attnNormW(), l.attnNormB(), eps, normed);
                in = normed;
            }
            l.qkv().apply(in, n, qkv);
            VectorOps.rope(qkv, cu, heads, hd, l.rope());
            attention.apply(qkv, cu, heads, hd, l.halfWindow(), attn);
            l.wo().apply(attn, n, proj);
            VectorOps.addInPlace(x, proj, n * h);

            VectorOps.layerNorm(x, n, h, l.mlpNormW(), l.mlpNormB(), eps, normed);
            l.wi().apply(normed, n, up);
            if (exactGelu) {
                VectorOps.geglu(up, n, inter, act);
            } else {
                gatedActivation(up, n, inter, cfg.hiddenActivation(), act);
            }
            l.mlpWo().apply(act, n, proj);
            VectorOps.addInPlace(x, proj, n * h);
        }
        VectorOps.layerNorm(x, n, h, finalNormW, finalNormB, eps, x);
        return x;
    }

    /** act(u[:, :inter]) * u[:, inter:] for a hidden_activation other than exact GELU. */
    private static void gatedActivation(float[] u, int rows, int inter, Activation a, float[] y) {
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < inter; i++)
                y[r * inter + i] = a.apply(u[r * 2 * inter + i]) * u[r * 2 * inter + inter + i];
        }
    }

    @Override
    public void close() {}
}
