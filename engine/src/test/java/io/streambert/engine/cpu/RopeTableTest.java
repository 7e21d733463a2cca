package io.streambert.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The RoPE table is built lazily: a huge position limit costs nothing until long sequences arrive.
 */
class RopeTableTest {
    /** The angle's definition, independent of the table: pos * theta^(-2i/headDim). */
    private static double angle(double theta, int headDim, int pos, int i) {
        return pos / Math.pow(theta, (2.0 * i) / headDim);
    }

    @Test
    void aHugeLimitBuildsOnlyTheFirstPositions() {
        RopeTable t = RopeTable.of(160000, 64, Integer.MAX_VALUE);
        assertEquals(Integer.MAX_VALUE, t.limit());
        assertEquals(RopeTable.INITIAL_POSITIONS, t.maxPositions());
        assertEquals(RopeTable.INITIAL_POSITIONS * 32, t.cosTable().length);
    }

    @Test
    void aSmallLimitIsBuiltWhole() {
        RopeTable t = RopeTable.of(10000, 8, 300);
        assertEquals(300, t.maxPositions());
        assertThrows(IllegalArgumentException.class, () -> t.ensure(301));
    }

    @Test
    void growingKeepsTheValuesOfTheDefinition() {
        RopeTable t = RopeTable.of(10000, 8, 100_000);
        t.ensure(RopeTable.INITIAL_POSITIONS + 1);
        assertTrue(
                t.maxPositions() >= RopeTable.INITIAL_POSITIONS + 1 && t.maxPositions() <= 100_000,
                "" + t.maxPositions());
        for (int pos : new int[] {0, 1, 63, 8191, 8192}) {
            for (int i = 0; i < 4; i++) {
                double a = angle(10000, 8, pos, i);
                assertEquals((float) Math.cos(a), t.cos(pos, i), 0f, "cos " + pos + "," + i);
                assertEquals((float) Math.sin(a), t.sin(pos, i), 0f, "sin " + pos + "," + i);
            }
        }
        t.ensure(100_000);
        assertEquals(100_000, t.maxPositions());
    }

    @Test
    void ropeOnALongSequenceGrowsTheTableItself() {
        int tokens = RopeTable.INITIAL_POSITIONS + 5, heads = 1, hd = 4;
        RopeTable t = RopeTable.of(10000, hd, 1 << 20);
        float[] qkv = new float[tokens * 3 * hd];
        java.util.Arrays.fill(qkv, 1f);
        VectorOps.rope(qkv, new int[] {0, tokens}, heads, hd, t);
        int last = tokens - 1;
        double a0 = angle(10000, hd, last, 0);
        assertEquals((float) (Math.cos(a0) - Math.sin(a0)), qkv[last * 3 * hd], 1e-5f);
    }
}
