package io.streambert.engine.heads;

/**
 * A classifier's scores from its logits, and the winning label's index: the same for every backend.
 */
public final class Scores {
    private Scores() {}

    /** softmax(logits), or sigmoid per logit when multi-label. */
    public static float[] of(float[] logits, boolean multiLabel) {
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

    /** Index of the highest score (the first of equals). */
    public static int argmax(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
        return best;
    }
}
