package io.streambert.engine.cpu;

import io.streambert.engine.math.Erf;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The encoder's row-wise operations with the Vector API, over both cores: same signatures and
 * results (to fp32 rounding) as the plain loops of VectorOpsReference (test scope), which they are
 * tested against.
 *
 * <p>Why: with fast matrix products these were a fifth of a layer's time (GeGLU's erf alone ~30
 * ns/element). Vector code is written inline in the loops: a FloatVector passed through a call that
 * is not inlined is boxed.
 *
 * <p>Deterministic on purpose: only IEEE-exact lane operations (add, mul, fma, div, compare, bit
 * moves) are used. {@code reduceLanes(ADD)} and {@code lanewise(EXP)} are avoided because their
 * results differ between the interpreter's fallback and the compiled intrinsic (summation order;
 * SVML vs Math.exp), which made the same input give slightly different outputs before and after JIT
 * compilation.
 */
// The erfc coefficients are written as published (double digits, shared with Erf); float rounds
// them.
@SuppressWarnings("FloatingPointLiteralPrecision")
public final class VectorOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float LOG2E = 1.4426950408889634f;
    private static final float LN2_HI = 0.693145751953125f; // ln 2 split so n * LN2_HI is exact
    private static final float LN2_LO = 1.4286068203094172e-06f;
    private static final float ROUND_MAGIC =
            12582912f; // 1.5 * 2^23: adding it rounds to an integer
    private static final int ROUND_MAGIC_BITS = Float.floatToRawIntBits(ROUND_MAGIC);

    private VectorOps() {}

    /** y[rows, inter] = gelu_erf(u[:, :inter]) * u[:, inter:], with u [rows, 2*inter]. */
    public static void geglu(float[] u, int rows, int inter, float[] y) {
        RowChunks.run(
                rows,
                inter,
                (from, to) -> {
                    for (int r = from; r < to; r++) gegluRow(u, r * 2 * inter, inter, y, r * inter);
                });
    }

    private static void gegluRow(float[] u, int uo, int inter, float[] y, int yo) {
        int i = 0;
        for (int bound = S.loopBound(inter); i < bound; i += S.length()) {
            FloatVector x = FloatVector.fromArray(S, u, uo + i);
            FloatVector gate = FloatVector.fromArray(S, u, uo + inter + i);
            // erf(x / sqrt 2) by the same Chebyshev-fitted erfc as Erf (fractional error < 1.2e-7),
            // in float lanes
            FloatVector z = x.mul(0.70710678f);
            FloatVector a = z.abs();
            FloatVector t = a.mul(0.5f).add(1f);
            t = FloatVector.broadcast(S, 1f).div(t);
            FloatVector p = t.fma(0.17087277f, -0.82215223f);
            p = p.fma(t, FloatVector.broadcast(S, 1.48851587f));
            p = p.fma(t, FloatVector.broadcast(S, -1.13520398f));
            p = p.fma(t, FloatVector.broadcast(S, 0.27886807f));
            p = p.fma(t, FloatVector.broadcast(S, -0.18628806f));
            p = p.fma(t, FloatVector.broadcast(S, 0.09678418f));
            p = p.fma(t, FloatVector.broadcast(S, 0.37409196f));
            p = p.fma(t, FloatVector.broadcast(S, 1.00002368f));
            FloatVector arg = p.mul(t).sub(a.mul(a)).sub(1.26551223f);
            // exp(arg), arg <= 0: 2^n * e^r with n = round(arg / ln 2), r = arg - n ln 2
            // (Cody-Waite), e^r by Taylor to r^7
            FloatVector c = arg.max(-87f);
            FloatVector shifted =
                    c.mul(LOG2E)
                            .add(ROUND_MAGIC); // round to nearest integer in the low mantissa bits
            FloatVector n = shifted.sub(ROUND_MAGIC);
            FloatVector rr = n.fma(FloatVector.broadcast(S, -LN2_HI), c);
            rr = n.fma(FloatVector.broadcast(S, -LN2_LO), rr);
            FloatVector e = rr.fma(1f / 5040f, 1f / 720f);
            e = e.fma(rr, FloatVector.broadcast(S, 1f / 120f));
            e = e.fma(rr, FloatVector.broadcast(S, 1f / 24f));
            e = e.fma(rr, FloatVector.broadcast(S, 1f / 6f));
            e = e.fma(rr, FloatVector.broadcast(S, 0.5f));
            e = e.fma(rr, FloatVector.broadcast(S, 1f));
            e = e.fma(rr, FloatVector.broadcast(S, 1f));
            IntVector bits =
                    shifted.reinterpretAsInts()
                            .sub(ROUND_MAGIC_BITS)
                            .add(127)
                            .lanewise(VectorOperators.LSHL, 23);
            FloatVector erfc = t.mul(e.mul(bits.reinterpretAsFloats()));
            FloatVector erfAbs = erfc.neg().add(1f);
            VectorMask<Float> negative = z.lt(0f);
            FloatVector erf = erfAbs.blend(erfAbs.neg(), negative);
            FloatVector gelu = x.mul(0.5f).mul(erf.add(1f));
            gelu.mul(gate).intoArray(y, yo + i);
        }
        for (; i < inter; i++) y[yo + i] = Erf.gelu(u[uo + i]) * u[uo + inter + i];
    }

    /** y[rows, dim] = (x - mean) / sqrt(var + eps) * weight (+ bias); y may be x. */
    public static void layerNorm(
            float[] x, int rows, int dim, float[] weight, float[] bias, float eps, float[] y) {
        RowChunks.run(
                rows,
                dim,
                (from, to) -> {
                    for (int r = from; r < to; r++)
                        layerNormRow(x, r * dim, dim, weight, bias, eps, y);
                });
    }

    private static void layerNormRow(
            float[] x, int o, int dim, float[] weight, float[] bias, float eps, float[] y) {
        int bound = S.loopBound(dim);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < bound; i += S.length()) acc = acc.add(FloatVector.fromArray(S, x, o + i));
        float sum = sumLanes(acc);
        for (; i < dim; i++) sum += x[o + i];
        float mean = sum / dim;
        FloatVector m = FloatVector.broadcast(S, mean);
        acc = FloatVector.zero(S);
        for (i = 0; i < bound; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, x, o + i).sub(m);
            acc = d.fma(d, acc);
        }
        float sq = sumLanes(acc);
        for (; i < dim; i++) {
            float d = x[o + i] - mean;
            sq += d * d;
        }
        float inv = (float) (1.0 / Math.sqrt(sq / dim + (double) eps));
        for (i = 0; i < bound; i += S.length()) {
            FloatVector v =
                    FloatVector.fromArray(S, x, o + i)
                            .sub(m)
                            .mul(inv)
                            .mul(FloatVector.fromArray(S, weight, i));
            if (bias != null) v = v.add(FloatVector.fromArray(S, bias, i));
            v.intoArray(y, o + i);
        }
        for (; i < dim; i++) {
            float v = (x[o + i] - mean) * inv * weight[i];
            y[o + i] = bias == null ? v : v + bias[i];
        }
    }

    /**
     * Lanes summed in lane order: the same result interpreted or compiled (reduceLanes' order is
     * unspecified).
     */
    private static float sumLanes(FloatVector v) {
        float[] lanes = v.toArray();
        float s = 0f;
        for (float x : lanes) s += x;
        return s;
    }

    /**
     * Rotate-half RoPE in place on q and k of a packed qkv [tokens, 3, heads, headDim]; positions
     * restart at 0 in every sequence of cuSeqlens.
     */
    public static void rope(float[] qkv, int[] cuSeqlens, int heads, int headDim, RopeTable table) {
        int tokens = cuSeqlens[cuSeqlens.length - 1];
        int[] pos = new int[tokens];
        int longest = 0;
        for (int s = 0; s + 1 < cuSeqlens.length; s++) {
            for (int t = cuSeqlens[s]; t < cuSeqlens[s + 1]; t++) pos[t] = t - cuSeqlens[s];
            longest = Math.max(longest, cuSeqlens[s + 1] - cuSeqlens[s]);
        }
        table.ensure(longest); // the table grows lazily up to its limit
        int hidden = heads * headDim, half = headDim / 2;
        float[] cos = table.cosTable(), sin = table.sinTable();
        RowChunks.run(
                tokens,
                2L * hidden,
                (from, to) -> {
                    int bound = S.loopBound(half);
                    for (int t = from; t < to; t++) {
                        int row = pos[t] * table.half();
                        for (int part = 0; part < 2; part++) { // q, then k
                            for (int h = 0; h < heads; h++) {
                                int base = t * 3 * hidden + part * hidden + h * headDim;
                                int i = 0;
                                for (; i < bound; i += S.length()) {
                                    FloatVector c = FloatVector.fromArray(S, cos, row + i),
                                            sn = FloatVector.fromArray(S, sin, row + i);
                                    FloatVector x1 = FloatVector.fromArray(S, qkv, base + i),
                                            x2 = FloatVector.fromArray(S, qkv, base + half + i);
                                    x1.mul(c).sub(x2.mul(sn)).intoArray(qkv, base + i);
                                    x2.mul(c).add(x1.mul(sn)).intoArray(qkv, base + half + i);
                                }
                                for (; i < half; i++) {
                                    float c = cos[row + i], sn = sin[row + i];
                                    float x1 = qkv[base + i], x2 = qkv[base + half + i];
                                    qkv[base + i] = x1 * c - x2 * sn;
                                    qkv[base + half + i] = x2 * c + x1 * sn;
                                }
                            }
                        }
                    }
                });
    }

    /** x += y, elementwise over the first n values. */
    public static void addInPlace(float[] x, float[] y, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, i).add(FloatVector.fromArray(S, y, i)).intoArray(x, i);
        }
        for (; i < n; i++) x[i] += y[i];
    }
}
