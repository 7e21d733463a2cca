package io.streambert.evaluation;

/**
 * Confusion matrix of a binary classifier for one positive label, and the precision, recall and F1
 * of that label. Counts only: callers add one (actual, predicted) pair at a time.
 */
public final class BinaryScores {
    private long tp;
    private long fp;
    private long fn;
    private long tn;

    public void add(boolean actualPositive, boolean predictedPositive) {
        if (actualPositive && predictedPositive) tp++;
        else if (actualPositive) fn++;
        else if (predictedPositive) fp++;
        else tn++;
    }

    public long truePositives() {
        return tp;
    }

    public long falsePositives() {
        return fp;
    }

    public long falseNegatives() {
        return fn;
    }

    public long trueNegatives() {
        return tn;
    }

    public long total() {
        return tp + fp + fn + tn;
    }

    /** tp / (tp + fp); 0 when nothing was predicted positive. */
    public double precision() {
        return tp + fp == 0 ? 0 : (double) tp / (tp + fp);
    }

    /** tp / (tp + fn); 0 when there is no positive. */
    public double recall() {
        return tp + fn == 0 ? 0 : (double) tp / (tp + fn);
    }

    public double f1() {
        double p = precision(), r = recall();
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public double accuracy() {
        return total() == 0 ? 0 : (double) (tp + tn) / total();
    }
}
