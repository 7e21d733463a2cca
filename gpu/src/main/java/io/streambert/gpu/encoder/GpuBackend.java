package io.streambert.gpu.encoder;

import io.streambert.engine.Backend;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Engine;
import io.streambert.engine.ModelDirectory;
import io.streambert.engine.PackedBatch;
import io.streambert.engine.heads.Pooling;
import io.streambert.engine.model.Activation;
import io.streambert.engine.model.ModelConfig;
import io.streambert.engine.model.ModelLoadException;
import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.Gemm;
import io.streambert.gpu.kernels.AttentionLaunch;
import io.streambert.gpu.kernels.AttentionTiling;
import io.streambert.gpu.kernels.GegluLaunch;
import io.streambert.gpu.kernels.GemmBackends;
import io.streambert.gpu.kernels.GridStride;
import io.streambert.gpu.kernels.LayerNormLaunch;
import io.streambert.gpu.kernels.PoolingLaunch;
import io.streambert.gpu.kernels.SequenceTiles;
import io.streambert.gpu.kernels.WarpPerRow;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * ModernBERT on a {@link Device} (a GPU through CudaDevice, or the CPU emulation of the same
 * kernels), unpadded: packed ids + cu_seqlens, every kernel works on the packed token rows.
 *
 * <p>Dtypes: the residual stream x is fp32 [tokens, hidden]; everything a GEMM reads or writes in
 * the layers is bf16 (normed x, qkv, attention output, Wi's output, GeGLU's output) except the two
 * output projections, which add their fp32 results straight into x ({@code Gemm.Output.FP32_ADD});
 * weights bf16, norms and biases fp32. Per layer: QKV GEMM, RoPE on q/k, attention (global or
 * window), Wo GEMM into x, mlp_norm, Wi GEMM, GeGLU, MLP Wo GEMM into x, the next layer's attn_norm
 * (or final_norm after the last layer). Layer 0 reads the embedding LayerNorm's output directly (it
 * has no attn_norm). The heads run on the device too: pooling from cu_seqlens, dense GEMM, bias +
 * GELU, LayerNorm, classifier GEMM (+bias), softmax or sigmoid; embeddings are pooled,
 * Matryoshka-truncated and L2-normalised. {@link Engine} does the rest, as for every backend.
 */
public final class GpuBackend implements Backend {
    private static final WarpPerRow ROWS = WarpPerRow.DEFAULT;
    private static final GridStride ELEMENTS = GridStride.DEFAULT;
    private static final int POOL_COLUMNS = 32, POOL_TOKEN_LANES = 4;

    private final Device device;
    private final Gemm gemm;
    private final ModelConfig cfg;
    private final DeviceWeights weights;
    private final Scratch scratch;
    private final BatchInputs inputs;
    private final AttentionTiling tiling;
    private final Activation classifierActivation;
    private final Pooling classifierPooling, embeddingPooling;
    private final boolean multiLabel;
    private final int embeddingDim;

    private GpuBackend(Device device, Gemm gemm, ModelDirectory m) {
        this.device = device;
        this.cfg = m.cfg();
        this.embeddingDim = m.embeddingDim();
        if (cfg.hiddenActivation() != Activation.GELU) {
            throw new ModelLoadException(
                    m.dir().resolve("config.json")
                            + ": field 'hidden_activation': the device encoder's"
                            + " GeGLU kernel implements exact-erf gelu only, not "
                            + cfg.hiddenActivation()
                            + "; use --device cpu");
        }
        this.tiling = AttentionTiling.forHeadDim(cfg.headDim());
        this.classifierActivation = cfg.classifierActivation();
        this.classifierPooling =
                m.weights().head() == null
                        ? null
                        : Pooling.parse(cfg.classifierPooling(), "classifier_pooling");
        this.embeddingPooling = m.embeddingPooling();
        this.multiLabel = m.weights().head() != null && cfg.multiLabel();
        this.gemm = gemm != null ? gemm : GemmBackends.open(device);
        this.weights = new DeviceWeights(device, cfg, m.weights(), m.maxTokens(), m.dir());
        this.scratch =
                new Scratch(
                        device,
                        cfg.hiddenSize(),
                        cfg.intermediateSize(),
                        weights.head == null ? 0 : weights.head.labels());
        this.inputs = new BatchInputs(device, tiling);
    }

    /**
     * The engine for the model in {@code dir} on {@code device}; the backend owns the device from
     * then on (closes it). On failure the device is closed too.
     */
    public static Engine open(Path dir, EncoderOptions options, Device device) {
        return open(dir, options, device, null);
    }

    /**
     * As {@link #open(Path, EncoderOptions, Device)} with the GEMM backend given (null: {@code
     * GemmBackends.open}), e.g. the one {@code DeviceProbe} tested. Whatever fails while opening,
     * Errors included (an UnsatisfiedLinkError from a native library, an OutOfMemoryError),
     * releases the device, and so its CUDA context.
     */
    public static Engine open(Path dir, EncoderOptions options, Device device, Gemm gemm) {
        boolean[] owned = {false};
        try {
            return Engine.open(
                    dir,
                    options,
                    m -> {
                        GpuBackend b = new GpuBackend(device, gemm, m);
                        owned[0] = true;
                        return b;
                    });
        } catch (RuntimeException | Error e) {
            if (!owned[0]) {
                try {
                    if (gemm != null) gemm.close();
                } catch (RuntimeException | Error suppressed) {
                    e.addSuppressed(suppressed);
                }
                try {
                    device.close();
                } catch (RuntimeException | Error suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    @Override
    public String device() {
        return device.name();
    }

    /**
     * Stages {@code next}'s inputs (ids, cu_seqlens, tile table) for a later {@link #forward} of
     * the same batch: writes them to pinned host memory and enqueues their uploads on the device's
     * upload stream, then returns. Called before the forward of the current batch, those uploads
     * run while the current batch computes. Optional: a batch that was not staged is staged by its
     * forward.
     */
    public synchronized void prefetch(PackedBatch next) {
        inputs.stage(next, SequenceTiles.of(next.cuSeqlens()));
    }

    @Override
    public synchronized Output forward(PackedBatch batch) {
        SequenceTiles seqs = SequenceTiles.of(batch.cuSeqlens());
        DeviceBuffer cu = forward(batch, seqs);
        DeviceBuffer hidden = scratch.normed(seqs.tokens());
        int b = seqs.batch();
        float[][] logits = null, scores = null;
        if (weights.head != null) {
            float[][] both = head(seqs, cu, hidden);
            logits = Arrays.copyOfRange(both, 0, b);
            scores = Arrays.copyOfRange(both, b, 2 * b);
        }
        return new Output(null, logits, scores, embeddings(seqs, cu, hidden));
    }

    /**
     * Final hidden states (after final_norm, bf16 widened to float) [tokens * hidden]: for tests
     * and tools.
     */
    @Override
    public synchronized float[] hiddenStates(PackedBatch batch) {
        SequenceTiles seqs = SequenceTiles.of(batch.cuSeqlens());
        forward(batch, seqs);
        float[] all = new float[seqs.tokens() * cfg.hiddenSize()];
        device.downloadBf16(scratch.normed(seqs.tokens()), all);
        return all;
    }

    /**
     * Embeddings, the layers, the fused final norm: leaves the final hidden states in {@link
     * Scratch#normed} (bf16). Returns cu_seqlens on the device.
     */
    private DeviceBuffer forward(PackedBatch batch, SequenceTiles seqs) {
        int n = seqs.tokens(),
                h = cfg.hiddenSize(),
                inter = cfg.intermediateSize(),
                heads = cfg.numHeads();
        float eps = cfg.normEps();
        // ids, cu_seqlens and the tile table come from pinned memory on the upload stream, staged
        // by prefetch while the previous batch ran, or now; the device's stream waits for them
        BatchInputs.Staged in = inputs.use(batch, seqs);
        DeviceBuffer idsB = in.ids(), cu = in.cuSeqlens(), tiles = in.tiles();
        DeviceBuffer x = scratch.residual(n), xb = scratch.normed(n);
        DeviceBuffer qkv = scratch.qkv(n), attn = scratch.attn(n);
        DeviceBuffer up = scratch.up(n), act = scratch.act(n);

        weights.ensureRope(seqs.maxSeqlen());
        LayerNormLaunch.embedLayerNorm(
                device,
                ROWS,
                idsB,
                weights.tokEmb,
                x,
                xb,
                weights.embNormW,
                weights.embNormB,
                n,
                h,
                cfg.vocabSize(),
                eps);
        List<DeviceWeights.Layer> layers = weights.layers;
        for (int i = 0; i < layers.size(); i++) {
            DeviceWeights.Layer l = layers.get(i);
            if (i == 0
                    && l.attnNormW() != null) { // a checkpoint whose layer 0 does have an attn_norm
                LayerNormLaunch.layerNorm(
                        device, ROWS, x, xb, l.attnNormW(), l.attnNormB(), n, h, eps);
            }
            gemm.run(xb, l.wqkv(), l.wqkvB(), qkv, Gemm.Output.BF16, n, 3 * h, h);
            // RoPE (the layer's theta) is applied by the attention kernel as it loads q and k
            AttentionLaunch.run(
                    device,
                    tiling,
                    seqs,
                    qkv,
                    attn,
                    cu,
                    tiles,
                    heads,
                    l.window(),
                    new AttentionLaunch.Rope(l.rope().cos(), l.rope().sin(), l.rope().positions()),
                    null);
            // Wo adds straight into the fp32 residual (no bf16 proj, no separate add), then
            // mlp_norm
            gemm.run(attn, l.wo(), l.woB(), x, Gemm.Output.FP32_ADD, n, h, h);
            LayerNormLaunch.layerNorm(device, ROWS, x, xb, l.mlpNormW(), l.mlpNormB(), n, h, eps);
            gemm.run(xb, l.wi(), l.wiB(), up, Gemm.Output.BF16, n, 2 * inter, h);
            GegluLaunch.run(device, ELEMENTS, up, act, n, inter);
            gemm.run(act, l.mlpWo(), l.mlpWoB(), x, Gemm.Output.FP32_ADD, n, h, inter);
            // then the next layer's attn_norm, or final_norm after the last
            boolean last = i == layers.size() - 1;
            DeviceBuffer normW = last ? weights.finalNormW : layers.get(i + 1).attnNormW();
            DeviceBuffer normB = last ? weights.finalNormB : layers.get(i + 1).attnNormB();
            LayerNormLaunch.layerNorm(device, ROWS, x, xb, normW, normB, n, h, eps);
        }
        if (layers.isEmpty())
            LayerNormLaunch.layerNorm(
                    device, ROWS, x, xb, weights.finalNormW, weights.finalNormB, n, h, eps);
        return cu;
    }

    /** [logits of each sequence..., scores of each sequence...]. */
    private float[][] head(SequenceTiles seqs, DeviceBuffer cu, DeviceBuffer hidden) {
        DeviceWeights.Head hw = weights.head;
        int b = seqs.batch(), h = cfg.hiddenSize(), labels = hw.labels();
        DeviceBuffer pooled = scratch.headPooled(b), pooledB = scratch.headPooledBf16(b);
        DeviceBuffer dense = scratch.dense(b), denseB = scratch.denseBf16(b);
        DeviceBuffer logits = scratch.logits(b);
        PoolingLaunch.pool(
                device,
                POOL_COLUMNS,
                POOL_TOKEN_LANES,
                seqs,
                hidden,
                pooled,
                cu,
                h,
                mode(classifierPooling));
        toBf16(pooled, pooledB, b * h);
        if (classifierActivation == Activation.GELU) {
            gemm.run(pooledB, hw.denseW(), null, dense, Gemm.Output.FP32, b, h, h);
            PoolingLaunch.biasGelu(device, ELEMENTS, dense, hw.denseB(), b, h);
        } else {
            // no kernel for the other activations (ModernBERT uses gelu): bias + activation on the
            // host, b x h values
            gemm.run(pooledB, hw.denseW(), hw.denseB(), dense, Gemm.Output.FP32, b, h, h);
            float[] v = new float[b * h];
            device.download(dense, v);
            for (int i = 0; i < v.length; i++) v[i] = classifierActivation.apply(v[i]);
            device.upload(v, dense);
        }
        LayerNormLaunch.layerNorm(
                device, ROWS, dense, denseB, hw.normW(), hw.normB(), b, h, cfg.normEps());
        gemm.run(
                denseB, hw.classifierW(), hw.classifierB(), logits, Gemm.Output.FP32, b, labels, h);
        float[] l = new float[b * labels], p = new float[b * labels];
        device.download(logits, l);
        if (multiLabel) PoolingLaunch.sigmoid(device, ELEMENTS, logits, null, b, labels);
        else PoolingLaunch.softmaxRows(device, ROWS, logits, null, b, labels);
        device.download(logits, p);
        float[][] out = new float[2 * b][];
        for (int s = 0; s < b; s++) {
            out[s] = Arrays.copyOfRange(l, s * labels, (s + 1) * labels);
            out[b + s] = Arrays.copyOfRange(p, s * labels, (s + 1) * labels);
        }
        return out;
    }

    /** Pooled, Matryoshka-truncated to the embedding dimension, L2-normalised embeddings. */
    private float[][] embeddings(SequenceTiles seqs, DeviceBuffer cu, DeviceBuffer hidden) {
        int b = seqs.batch(), h = cfg.hiddenSize(), dim = embeddingDim;
        DeviceBuffer pooled = scratch.embPooled(b);
        PoolingLaunch.pool(
                device,
                POOL_COLUMNS,
                POOL_TOKEN_LANES,
                seqs,
                hidden,
                pooled,
                cu,
                h,
                mode(embeddingPooling));
        DeviceBuffer rows = pooled;
        if (dim < h) {
            // rows of the truncated vectors must be contiguous for the row kernel: compact them (b
            // x dim floats)
            float[] full = new float[b * h], cut = new float[b * dim];
            device.download(pooled, full);
            for (int s = 0; s < b; s++) System.arraycopy(full, s * h, cut, s * dim, dim);
            rows = scratch.embTruncated(b, dim);
            device.upload(cut, rows);
        }
        PoolingLaunch.l2Normalize(device, ROWS, rows, b, dim, 1e-12f);
        float[] all = new float[b * dim];
        device.download(rows, all);
        float[][] out = new float[b][];
        for (int s = 0; s < b; s++) out[s] = Arrays.copyOfRange(all, s * dim, (s + 1) * dim);
        return out;
    }

    private void toBf16(DeviceBuffer in, DeviceBuffer out, int n) {
        device.launch("sb_f32_to_bf16", ELEMENTS.grid(n), ELEMENTS.block(), 0, in, out, n);
    }

    private static PoolingLaunch.Mode mode(Pooling p) {
        return p == Pooling.CLS ? PoolingLaunch.Mode.CLS : PoolingLaunch.Mode.MEAN;
    }

    @Override
    public synchronized void close() {
        inputs.close();
        scratch.close();
        weights.close();
        gemm.close();
        device.close();
    }
}
