package io.streambert.engine.heads;

import io.streambert.engine.cpu.CpuKernels;
import io.streambert.engine.cpu.CpuOps;
import io.streambert.engine.cpu.PackedLinear;
import io.streambert.engine.model.Activation;
import io.streambert.engine.model.HeadWeights;

import java.util.List;

/**
 * ModernBertForSequenceClassification's head: pool (classifier_pooling) -> dense (+bias) -> activation ->
 * LayerNorm -> classifier; scores are softmax, or independent sigmoids for multi-label problems.
 */
public final class ClassificationHead {
    private final Pooling pooling;
    private final PackedLinear dense;
    private final Activation activation;
    private final float[] normWeight, normBias;
    private final float eps;
    private final PackedLinear classifier;
    private final List<String> labels;
    private final boolean multiLabel;

    public ClassificationHead(HeadWeights w, int hidden, Pooling pooling, Activation activation, float eps,
                              List<String> labels, boolean multiLabel) {
        if (labels.size() != w.numLabels()) throw new IllegalArgumentException(labels.size() + " labels for " + w.numLabels() + " classifier rows");
        this.pooling = pooling;
        this.dense = PackedLinear.pack(w.denseWeight(), w.denseBias(), hidden, hidden);
        this.activation = activation;
        this.normWeight = w.normWeight();
        this.normBias = w.normBias();
        this.eps = eps;
        this.classifier = PackedLinear.pack(w.classifierWeight(), w.classifierBias(), w.numLabels(), hidden);
        this.labels = List.copyOf(labels);
        this.multiLabel = multiLabel;
    }

    public List<String> labels() {
        return labels;
    }

    public boolean multiLabel() {
        return multiLabel;
    }

    /** Logits [batch][labels] for the packed hidden states [tokens, hidden] split by cuSeqlens. */
    public float[][] logits(float[] hidden, int[] cuSeqlens, int dim) {
        int batch = cuSeqlens.length - 1;
        float[] pooled = new float[batch * dim];
        for (int s = 0; s < batch; s++) pooling.pool(hidden, cuSeqlens[s], cuSeqlens[s + 1] - cuSeqlens[s], dim, pooled, s * dim);
        float[] h = new float[batch * dim];
        CpuKernels.linear(pooled, batch, dense, h);
        for (int i = 0; i < h.length; i++) h[i] = activation.apply(h[i]);
        CpuOps.layerNorm(h, batch, dim, normWeight, normBias, eps, h);
        int n = classifier.out();
        float[] y = new float[batch * n];
        CpuKernels.linear(h, batch, classifier, y);
        float[][] out = new float[batch][];
        for (int s = 0; s < batch; s++) out[s] = java.util.Arrays.copyOfRange(y, s * n, (s + 1) * n);
        return out;
    }

    /** softmax(logits), or sigmoid per logit when multi-label. */
    public float[] scores(float[] logits) {
        float[] p = new float[logits.length];
        if (multiLabel) {
            for (int i = 0; i < p.length; i++) p[i] = (float) (1.0 / (1.0 + Math.exp(-logits[i])));
            return p;
        }
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float l : logits) max = Math.max(max, l);
        for (int i = 0; i < p.length; i++) sum += Math.exp(logits[i] - max);
        for (int i = 0; i < p.length; i++) p[i] = (float) (Math.exp(logits[i] - max) / sum);
        return p;
    }

    /** Name of the highest-scoring label. */
    public String label(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
        return labels.get(best);
    }
}
