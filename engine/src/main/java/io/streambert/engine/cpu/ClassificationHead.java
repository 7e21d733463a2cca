package io.streambert.engine.cpu;

import io.streambert.engine.heads.Pooling;
import io.streambert.engine.model.Activation;
import io.streambert.engine.model.HeadWeights;

/**
 * ModernBertForSequenceClassification's head: pool (classifier_pooling) -> dense (+bias) ->
 * activation -> LayerNorm -> classifier, on the CPU backend's kernels. Scores and labels come from
 * the logits in {@link io.streambert.engine.Engine} ({@link io.streambert.engine.heads.Scores}),
 * the same for every backend.
 */
final class ClassificationHead {
    private final Pooling pooling;
    private final PackedLinear dense;
    private final Activation activation;
    private final float[] normWeight, normBias;
    private final float eps;
    private final PackedLinear classifier;

    ClassificationHead(
            HeadWeights w, int hidden, Pooling pooling, Activation activation, float eps) {
        this.pooling = pooling;
        this.dense = PackedLinear.pack(w.denseWeight(), w.denseBias(), hidden, hidden);
        this.activation = activation;
        this.normWeight = w.normWeight();
        this.normBias = w.normBias();
        this.eps = eps;
        this.classifier =
                PackedLinear.pack(w.classifierWeight(), w.classifierBias(), w.numLabels(), hidden);
    }

    /** Logits [batch][labels] for the packed hidden states [tokens, hidden] split by cuSeqlens. */
    float[][] logits(float[] hidden, int[] cuSeqlens, int dim) {
        int batch = cuSeqlens.length - 1;
        float[] pooled = new float[batch * dim];
        for (int s = 0; s < batch; s++)
            pooling.pool(
                    hidden, cuSeqlens[s], cuSeqlens[s + 1] - cuSeqlens[s], dim, pooled, s * dim);
        float[] h = new float[batch * dim];
        CpuKernels.linear(pooled, batch, dense, h);
        for (int i = 0; i < h.length; i++) h[i] = activation.apply(h[i]);
        layerNorm(h, batch, dim, normWeight, normBias, eps);
        int n = classifier.out();
        float[] y = new float[batch * n];
        CpuKernels.linear(h, batch, classifier, y);
        float[][] out = new float[batch][];
        for (int s = 0; s < batch; s++)
            out[s] = java.util.Arrays.copyOfRange(y, s * n, (s + 1) * n);
        return out;
    }

    /** In place, plain loops (batch rows only): (x - mean) / sqrt(var + eps) * weight (+ bias). */
    private static void layerNorm(
            float[] x, int rows, int dim, float[] weight, float[] bias, float eps) {
        for (int r = 0; r < rows; r++) {
            int o = r * dim;
            double mean = 0;
            for (int i = 0; i < dim; i++) mean += x[o + i];
            mean /= dim;
            double var = 0;
            for (int i = 0; i < dim; i++) {
                double d = x[o + i] - mean;
                var += d * d;
            }
            var /= dim;
            float inv = (float) (1.0 / Math.sqrt(var + eps));
            for (int i = 0; i < dim; i++) {
                float v = (float) (x[o + i] - mean) * inv * weight[i];
                x[o + i] = bias == null ? v : v + bias[i];
            }
        }
    }
}
