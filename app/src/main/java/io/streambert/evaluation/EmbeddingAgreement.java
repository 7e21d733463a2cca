package io.streambert.evaluation;

import java.util.Arrays;

/**
 * How closely a student's sentence embeddings follow a teacher's on the same sentences (rows
 * L2-normalised, the two may not share a space for anything but the cosine):
 *
 * <ul>
 *   <li>mean cosine of each sentence's student and teacher vectors (needs equal dimensions);
 *   <li>Spearman correlation between the student's and the teacher's similarities over all pairs i
 *       &lt; j;
 *   <li>recall@k: of each sentence's k nearest neighbours by the teacher, the share the student
 *       also ranks in its own k nearest (the sentence itself excluded), averaged.
 * </ul>
 */
public final class EmbeddingAgreement {
    private EmbeddingAgreement() {}

    public static double meanCosine(float[][] student, float[][] teacher) {
        check(student, teacher);
        double s = 0;
        for (int i = 0; i < student.length; i++) {
            if (student[i].length != teacher[i].length)
                throw new IllegalArgumentException(
                        "dimensions differ: " + student[i].length + " vs " + teacher[i].length);
            s += dot(student[i], teacher[i]);
        }
        return s / student.length;
    }

    public static double spearmanOfPairs(float[][] student, float[][] teacher) {
        check(student, teacher);
        int n = student.length;
        long pairs = (long) n * (n - 1) / 2;
        if (pairs > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException(n + " sentences: too many pairs");
        double[] a = new double[(int) pairs];
        double[] b = new double[(int) pairs];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                a[k] = dot(student[i], student[j]);
                b[k] = dot(teacher[i], teacher[j]);
                k++;
            }
        }
        return pearson(ranks(a), ranks(b));
    }

    public static double recallAtK(float[][] student, float[][] teacher, int k) {
        check(student, teacher);
        int n = student.length;
        if (k < 1 || k >= n)
            throw new IllegalArgumentException("k " + k + " must be in 1.." + (n - 1));
        double sum = 0;
        for (int i = 0; i < n; i++) {
            int[] t = topK(teacher, i, k);
            int[] s = topK(student, i, k);
            Arrays.sort(s);
            int hit = 0;
            for (int x : t) if (Arrays.binarySearch(s, x) >= 0) hit++;
            sum += (double) hit / k;
        }
        return sum / n;
    }

    /** Indices of the k rows most similar to row q (q itself excluded), ties to the lower index. */
    static int[] topK(float[][] rows, int q, int k) {
        Integer[] idx = new Integer[rows.length - 1];
        double[] sim = new double[rows.length];
        int m = 0;
        for (int j = 0; j < rows.length; j++) {
            if (j == q) continue;
            sim[j] = dot(rows[q], rows[j]);
            idx[m++] = j;
        }
        Arrays.sort(
                idx,
                (x, y) ->
                        sim[x] != sim[y] ? Double.compare(sim[y], sim[x]) : Integer.compare(x, y));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) out[i] = idx[i];
        return out;
    }

    /** Average ranks (1-based; ties share the mean of their positions). */
    static double[] ranks(double[] v) {
        int n = v.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> Double.compare(v[x], v[y]));
        double[] r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && v[order[j + 1]] == v[order[i]]) j++;
            double avg = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++) r[order[t]] = avg;
            i = j + 1;
        }
        return r;
    }

    static double pearson(double[] a, double[] b) {
        int n = a.length;
        double ma = 0, mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++) {
            double x = a[i] - ma, y = b[i] - mb;
            sab += x * y;
            saa += x * x;
            sbb += y * y;
        }
        return saa == 0 || sbb == 0 ? 0 : sab / Math.sqrt(saa * sbb);
    }

    static double dot(float[] x, float[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) s += (double) x[i] * y[i];
        return s;
    }

    private static void check(float[][] student, float[][] teacher) {
        if (student.length != teacher.length)
            throw new IllegalArgumentException(
                    "row counts differ: " + student.length + " vs " + teacher.length);
        if (student.length < 2)
            throw new IllegalArgumentException("need at least 2 sentences, got " + student.length);
    }
}
