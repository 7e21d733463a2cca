package io.streambert.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The figures of docs/MODEL.md on inputs small enough to work out by hand. */
class EvaluationMetricsTest {

    @Test
    void precisionRecallF1FromTheConfusionMatrix() {
        BinaryScores s = new BinaryScores();
        // 3 TP, 1 FP, 2 FN, 4 TN
        for (int i = 0; i < 3; i++) s.add(true, true);
        s.add(false, true);
        for (int i = 0; i < 2; i++) s.add(true, false);
        for (int i = 0; i < 4; i++) s.add(false, false);
        assertEquals(0.75, s.precision(), 1e-12);
        assertEquals(0.6, s.recall(), 1e-12);
        assertEquals(2 * 0.75 * 0.6 / 1.35, s.f1(), 1e-12);
        assertEquals(0.7, s.accuracy(), 1e-12);
        assertEquals(0.0, new BinaryScores().f1());
    }

    @Test
    void naiveBayesLearnsWhichTokensMarkEachClass() {
        NaiveBayes nb = new NaiveBayes(2, 10);
        nb.add(1, new int[] {0, 5, 5, 6, 0}, 1, 4); // spam: 5 5 6
        nb.add(1, new int[] {0, 5, 7, 0}, 1, 3); // spam: 5 7
        nb.add(0, new int[] {0, 2, 3, 0}, 1, 3); // ham: 2 3
        assertEquals(1, nb.predict(new int[] {5}, 0, 1));
        assertEquals(0, nb.predict(new int[] {2, 3}, 0, 2));
        // by hand: P(spam)=(2+1)/(3+2), P(5|spam)=(3+1)/(5+10)
        double[] s = nb.logScores(new int[] {5}, 0, 1);
        assertEquals(Math.log(3.0 / 5) + Math.log(4.0 / 15), s[1], 1e-12);
        assertEquals(Math.log(2.0 / 5) + Math.log(1.0 / 12), s[0], 1e-12);
    }

    @Test
    void ranksShareTiesAndSpearmanIsPearsonOfRanks() {
        assertArrayEquals(
                new double[] {2.5, 1, 2.5, 4},
                EmbeddingAgreement.ranks(new double[] {0.3, 0.1, 0.3, 0.9}),
                1e-12);
        assertEquals(
                1.0,
                EmbeddingAgreement.pearson(new double[] {1, 2, 3}, new double[] {2, 4, 6}),
                1e-12);
        assertEquals(
                -1.0,
                EmbeddingAgreement.pearson(new double[] {1, 2, 3}, new double[] {3, 2, 1}),
                1e-12);
    }

    @Test
    void identicalEmbeddingsAgreeFullyAndAnUnrelatedOrderDoesNot() {
        float[][] t =
                unitRows(
                        new double[][] {
                            {1, 0, 0}, {0.9, 0.1, 0}, {0, 1, 0}, {0, 0.8, 0.2}, {0, 0, 1}
                        });
        assertEquals(1.0, EmbeddingAgreement.meanCosine(t, t), 1e-6);
        assertEquals(1.0, EmbeddingAgreement.spearmanOfPairs(t, t), 1e-12);
        assertEquals(1.0, EmbeddingAgreement.recallAtK(t, t, 1), 1e-12);
        // swap the first two axes for the student: rows 0/1 now sit next to rows 2/3's old places
        float[][] s =
                unitRows(
                        new double[][] {
                            {0, 1, 0}, {0.1, 0.9, 0}, {1, 0, 0}, {0.8, 0, 0.2}, {0, 0, 1}
                        });
        assertEquals(
                1.0,
                EmbeddingAgreement.spearmanOfPairs(s, t),
                1e-12); // same geometry, rotated space
        assertEquals(1.0, EmbeddingAgreement.recallAtK(s, t, 1), 1e-12);
        // by hand: rows 0, 2 orthogonal; row 1 (0.1,0.9).(0.9,0.1)/0.82; row 3
        // (0.8,0,0.2).(0,0.8,0.2)/0.68; row 4 equal
        assertEquals(
                (0 + 0.18 / 0.82 + 0 + 0.04 / 0.68 + 1) / 5,
                EmbeddingAgreement.meanCosine(s, t),
                1e-6);
        float[][] scrambled =
                unitRows(
                        new double[][] {
                            {0, 0, 1}, {0, 1, 0}, {0.9, 0.1, 0}, {1, 0, 0}, {0, 0.8, 0.2}
                        });
        assertEquals(true, EmbeddingAgreement.recallAtK(scrambled, t, 1) < 1.0);
    }

    private static float[][] unitRows(double[][] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            double n = 0;
            for (double v : rows[i]) n += v * v;
            out[i] = new float[rows[i].length];
            for (int j = 0; j < rows[i].length; j++)
                out[i][j] = (float) (rows[i][j] / Math.sqrt(n));
        }
        return out;
    }
}
