package io.streambert.evaluation;

/**
 * Multinomial naive Bayes over token ids with add-one (Laplace) smoothing: the baseline the trained
 * model has to beat, fed the same token ids ([CLS]/[SEP] left out) from the same train split.
 */
public final class NaiveBayes {
    private final int vocab;
    private final long[][] counts; // [class][token]
    private final long[] totals; // tokens per class
    private final long[] docs; // documents per class

    public NaiveBayes(int classes, int vocab) {
        if (classes < 2 || vocab < 1)
            throw new IllegalArgumentException("classes " + classes + ", vocab " + vocab);
        this.vocab = vocab;
        this.counts = new long[classes][vocab];
        this.totals = new long[classes];
        this.docs = new long[classes];
    }

    /**
     * Counts the ids of one training document of class {@code label}, skipping positions before
     * from and after to.
     */
    public void add(int label, int[] ids, int from, int to) {
        docs[label]++;
        for (int i = from; i < to; i++) {
            counts[label][ids[i]]++;
            totals[label]++;
        }
    }

    /** Log-probability (up to a shared constant) of each class for the ids in [from, to). */
    public double[] logScores(int[] ids, int from, int to) {
        long allDocs = 0;
        for (long d : docs) allDocs += d;
        double[] out = new double[counts.length];
        for (int c = 0; c < counts.length; c++) {
            double s = Math.log((docs[c] + 1.0) / (allDocs + counts.length));
            double denom = Math.log(totals[c] + (double) vocab);
            for (int i = from; i < to; i++) s += Math.log(counts[c][ids[i]] + 1.0) - denom;
            out[c] = s;
        }
        return out;
    }

    public int predict(int[] ids, int from, int to) {
        double[] s = logScores(ids, from, to);
        int best = 0;
        for (int c = 1; c < s.length; c++) if (s[c] > s[best]) best = c;
        return best;
    }
}
