package io.streambert.gpu.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.model.Bf16;
import org.junit.jupiter.api.Test;

class Bf16Test {
    @Test
    void exactValuesSurvive() {
        for (float f :
                new float[] {
                    0f,
                    -0f,
                    1f,
                    -2f,
                    0.5f,
                    256f,
                    3.140625f,
                    Float.POSITIVE_INFINITY,
                    Float.NEGATIVE_INFINITY
                })
            assertEquals(
                    Float.floatToRawIntBits(f),
                    Float.floatToRawIntBits(Bf16.round(f)),
                    "value " + f);
    }

    @Test
    void roundsToNearestWithTiesToEven() {
        // 1 + 2^-8 lies exactly between 1 and 1 + 2^-7 (bf16 keeps 7 fraction bits): the even one,
        // 1, wins.
        assertEquals(1f, Bf16.round(1f + 0x1p-8f));
        // 1 + 3 * 2^-8 lies between 1 + 2^-7 (odd last bit) and 1 + 2^-6 (even): rounds up to the
        // even one.
        assertEquals(1f + 0x1p-6f, Bf16.round(1f + 3 * 0x1p-8f));
        // just above the half-way point rounds up, just below rounds down
        assertEquals(1f + 0x1p-7f, Bf16.round(1f + 0x1p-8f + 0x1p-20f));
        assertEquals(1f, Bf16.round(1f + 0x1p-8f - 0x1p-20f));
        assertEquals(-1f, Bf16.round(-1f - 0x1p-8f));
    }

    @Test
    void overflowGoesToInfinityAndNaNStaysNaN() {
        assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.MAX_VALUE));
        assertTrue(Float.isNaN(Bf16.round(Float.NaN)));
        assertTrue(
                Float.isNaN(Bf16.round(Float.intBitsToFloat(0x7f800001))),
                "a NaN with only low payload bits");
    }
}
