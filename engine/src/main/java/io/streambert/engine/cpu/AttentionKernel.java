package io.streambert.engine.cpu;

import static io.streambert.engine.cpu.AttentionTile.LANES;
import static io.streambert.engine.cpu.AttentionTile.QT;
import static io.streambert.engine.cpu.AttentionTile.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Packed (unpadded) attention with the Vector API, one task per (sequence, head), spread over the
 * cores.
 *
 * <p>Per task the keys are transposed once into kT[d][j], so a score step is "broadcast q[d], FMA
 * with LANES consecutive keys" and needs no horizontal sums. Queries go in tiles of QT; a tile
 * visits the union of its queries' windows (at most window + QT - 1 keys, so a sliding window costs
 * O(n*w)), and each query's softmax covers exactly its own window |i - j| <= halfWindow: keys
 * outside it get probability 0. Softmax subtracts the row maximum, as the reference does.
 */
final class AttentionKernel {
    private AttentionKernel() {}

    private static final class Scratch {
        float[] kT = new float[0];
        float[] scores = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static void attention(
            float[] qkv, int[] cuSeqlens, int heads, int headDim, int halfWindow, float[] out) {
        int batch = cuSeqlens.length - 1;
        if (batch <= 0) return;
        int tokens = cuSeqlens[batch];
        int hidden = heads * headDim;
        if (qkv.length < (long) tokens * 3 * hidden)
            throw new IllegalArgumentException(
                    "qkv has " + qkv.length + " values, expected " + tokens + "x3x" + hidden);
        if (out.length < (long) tokens * hidden)
            throw new IllegalArgumentException(
                    "out has " + out.length + " values, expected " + tokens + "x" + hidden);
        for (int s = 0; s < batch; s++) {
            if (cuSeqlens[s] > cuSeqlens[s + 1] || cuSeqlens[s] < 0)
                throw new IllegalArgumentException("cu_seqlens not ascending at " + s);
        }
        CpuParallel.forEach(
                batch * heads,
                t ->
                        sequenceHead(
                                qkv,
                                cuSeqlens[t / heads],
                                cuSeqlens[t / heads + 1],
                                t % heads,
                                heads,
                                headDim,
                                halfWindow,
                                out));
    }

    private static void sequenceHead(
            float[] qkv,
            int start,
            int end,
            int h,
            int heads,
            int headDim,
            int halfWindow,
            float[] out) {
        int n = end - start;
        if (n == 0) return;
        int hidden = heads * headDim, stride = 3 * hidden;
        int np = AttentionTile.paddedLength(n);
        Scratch sc = SCRATCH.get();
        if (sc.kT.length < headDim * np) sc.kT = new float[headDim * np];
        if (sc.scores.length < QT * np) sc.scores = new float[QT * np];
        float[] kT = sc.kT, p = sc.scores;
        int kOff = start * stride + hidden + h * headDim;
        for (int j = 0; j < n; j++) {
            int src = kOff + j * stride;
            for (int d = 0; d < headDim; d++) kT[d * np + j] = qkv[src + d];
        }
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int qOff = start * stride + h * headDim;
        int vOff = start * stride + 2 * hidden + h * headDim;
        int oOff = start * hidden + h * headDim;
        float[] sums = new float[QT];
        for (int i0 = 0; i0 < n; i0 += QT) {
            int q = Math.min(QT, n - i0);
            int last = i0 + q - 1;
            int jlo = halfWindow < 0 ? 0 : Math.max(0, i0 - halfWindow);
            int jhi = halfWindow < 0 ? n - 1 : Math.min(n - 1, last + halfWindow);
            scores(qkv, qOff, stride, i0, last, kT, np, headDim, jlo, jhi, scale, p);
            for (int r = 0; r < q; r++) {
                int i = i0 + r;
                int lo = halfWindow < 0 ? 0 : Math.max(0, i - halfWindow);
                int hi = halfWindow < 0 ? n - 1 : Math.min(n - 1, i + halfWindow);
                sums[r] = softmaxRow(p, r * np, jlo, lo, hi, jhi);
            }
            weightedValues(
                    qkv, vOff, stride, i0, q, headDim, jlo, jhi, p, np, sums, out, oOff, hidden);
        }
    }

    /**
     * p[r][j] = scale * q_{i0+r} . k_j for j in [jlo, jhi] (and a harmless spill past jhi to the
     * step end).
     */
    private static void scores(
            float[] qkv,
            int qOff,
            int stride,
            int i0,
            int last,
            float[] kT,
            int np,
            int headDim,
            int jlo,
            int jhi,
            float scale,
            float[] p) {
        int q0 = qOff + i0 * stride, q1 = qOff + Math.min(i0 + 1, last) * stride;
        int q2 = qOff + Math.min(i0 + 2, last) * stride,
                q3 = qOff + Math.min(i0 + 3, last) * stride;
        int q4 = qOff + Math.min(i0 + 4, last) * stride,
                q5 = qOff + Math.min(i0 + 5, last) * stride;
        int q6 = qOff + Math.min(i0 + 6, last) * stride,
                q7 = qOff + Math.min(i0 + 7, last) * stride;
        for (int j = jlo; j <= jhi; j += 2 * LANES) {
            FloatVector a0 = FloatVector.zero(SPECIES),
                    b0 = a0,
                    a1 = a0,
                    b1 = a0,
                    a2 = a0,
                    b2 = a0,
                    a3 = a0,
                    b3 = a0;
            FloatVector a4 = a0, b4 = a0, a5 = a0, b5 = a0, a6 = a0, b6 = a0, a7 = a0, b7 = a0;
            for (int d = 0, kb = j; d < headDim; d++, kb += np) {
                FloatVector k0 = FloatVector.fromArray(SPECIES, kT, kb);
                FloatVector k1 = FloatVector.fromArray(SPECIES, kT, kb + LANES);
                FloatVector v;
                v = FloatVector.broadcast(SPECIES, qkv[q0 + d]);
                a0 = v.fma(k0, a0);
                b0 = v.fma(k1, b0);
                v = FloatVector.broadcast(SPECIES, qkv[q1 + d]);
                a1 = v.fma(k0, a1);
                b1 = v.fma(k1, b1);
                v = FloatVector.broadcast(SPECIES, qkv[q2 + d]);
                a2 = v.fma(k0, a2);
                b2 = v.fma(k1, b2);
                v = FloatVector.broadcast(SPECIES, qkv[q3 + d]);
                a3 = v.fma(k0, a3);
                b3 = v.fma(k1, b3);
                v = FloatVector.broadcast(SPECIES, qkv[q4 + d]);
                a4 = v.fma(k0, a4);
                b4 = v.fma(k1, b4);
                v = FloatVector.broadcast(SPECIES, qkv[q5 + d]);
                a5 = v.fma(k0, a5);
                b5 = v.fma(k1, b5);
                v = FloatVector.broadcast(SPECIES, qkv[q6 + d]);
                a6 = v.fma(k0, a6);
                b6 = v.fma(k1, b6);
                v = FloatVector.broadcast(SPECIES, qkv[q7 + d]);
                a7 = v.fma(k0, a7);
                b7 = v.fma(k1, b7);
            }
            a0.mul(scale).intoArray(p, j);
            b0.mul(scale).intoArray(p, j + LANES);
            a1.mul(scale).intoArray(p, np + j);
            b1.mul(scale).intoArray(p, np + j + LANES);
            a2.mul(scale).intoArray(p, 2 * np + j);
            b2.mul(scale).intoArray(p, 2 * np + j + LANES);
            a3.mul(scale).intoArray(p, 3 * np + j);
            b3.mul(scale).intoArray(p, 3 * np + j + LANES);
            a4.mul(scale).intoArray(p, 4 * np + j);
            b4.mul(scale).intoArray(p, 4 * np + j + LANES);
            a5.mul(scale).intoArray(p, 5 * np + j);
            b5.mul(scale).intoArray(p, 5 * np + j + LANES);
            a6.mul(scale).intoArray(p, 6 * np + j);
            b6.mul(scale).intoArray(p, 6 * np + j + LANES);
            a7.mul(scale).intoArray(p, 7 * np + j);
            b7.mul(scale).intoArray(p, 7 * np + j + LANES);
        }
    }

    /**
     * Turns row scores into unnormalised probabilities exp(s - max) over [lo, hi], zero over the
     * rest of the tile's key range [jlo, jhi]; returns their sum (the caller divides, as the
     * reference does).
     */
    private static float softmaxRow(float[] p, int row, int jlo, int lo, int hi, int jhi) {
        FloatVector maxV = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        for (int j = lo; j <= hi; j += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(j, hi + 1);
            maxV =
                    maxV.lanewise(
                            VectorOperators.MAX, FloatVector.fromArray(SPECIES, p, row + j), m);
        }
        float max = maxV.reduceLanes(VectorOperators.MAX);
        FloatVector sumV = FloatVector.zero(SPECIES);
        for (int j = lo; j <= hi; j += LANES) {
            VectorMask<Float> m = SPECIES.indexInRange(j, hi + 1);
            FloatVector e =
                    FloatVector.fromArray(SPECIES, p, row + j)
                            .sub(max)
                            .lanewise(VectorOperators.EXP);
            e.intoArray(p, row + j, m);
            sumV = sumV.add(e, m);
        }
        for (int j = jlo; j < lo; j++) p[row + j] = 0f;
        for (int j = hi + 1; j <= jhi; j++) p[row + j] = 0f;
        return sumV.reduceLanes(VectorOperators.ADD);
    }

    /**
     * out_{i0+r} = (sum_j p[r][j] v_j) / sums[r]: two head-dimension vectors x QT queries per pass
     * over the keys. Unmasked, so the JIT compiles it to plain vector code; head sizes that are not
     * a multiple of two vectors (never the case for ModernBERT's 64) take {@link
     * #weightedValuesAnyHeadDim}.
     */
    private static void weightedValues(
            float[] qkv,
            int vOff,
            int stride,
            int i0,
            int q,
            int headDim,
            int jlo,
            int jhi,
            float[] p,
            int np,
            float[] sums,
            float[] out,
            int oOff,
            int hidden) {
        if (headDim % (2 * LANES) != 0) {
            weightedValuesAnyHeadDim(
                    qkv, vOff, stride, i0, q, headDim, jlo, jhi, p, np, sums, out, oOff, hidden);
            return;
        }
        // rows past q hold stale values and are never stored
        int p0 = 0,
                p1 = np,
                p2 = 2 * np,
                p3 = 3 * np,
                p4 = 4 * np,
                p5 = 5 * np,
                p6 = 6 * np,
                p7 = 7 * np;
        for (int c = 0; c < headDim; c += 2 * LANES) {
            FloatVector a0 = FloatVector.zero(SPECIES),
                    b0 = a0,
                    a1 = a0,
                    b1 = a0,
                    a2 = a0,
                    b2 = a0,
                    a3 = a0,
                    b3 = a0;
            FloatVector a4 = a0, b4 = a0, a5 = a0, b5 = a0, a6 = a0, b6 = a0, a7 = a0, b7 = a0;
            for (int j = jlo, vb = vOff + jlo * stride + c; j <= jhi; j++, vb += stride) {
                FloatVector v0 = FloatVector.fromArray(SPECIES, qkv, vb);
                FloatVector v1 = FloatVector.fromArray(SPECIES, qkv, vb + LANES);
                FloatVector w;
                w = FloatVector.broadcast(SPECIES, p[p0 + j]);
                a0 = w.fma(v0, a0);
                b0 = w.fma(v1, b0);
                w = FloatVector.broadcast(SPECIES, p[p1 + j]);
                a1 = w.fma(v0, a1);
                b1 = w.fma(v1, b1);
                w = FloatVector.broadcast(SPECIES, p[p2 + j]);
                a2 = w.fma(v0, a2);
                b2 = w.fma(v1, b2);
                w = FloatVector.broadcast(SPECIES, p[p3 + j]);
                a3 = w.fma(v0, a3);
                b3 = w.fma(v1, b3);
                w = FloatVector.broadcast(SPECIES, p[p4 + j]);
                a4 = w.fma(v0, a4);
                b4 = w.fma(v1, b4);
                w = FloatVector.broadcast(SPECIES, p[p5 + j]);
                a5 = w.fma(v0, a5);
                b5 = w.fma(v1, b5);
                w = FloatVector.broadcast(SPECIES, p[p6 + j]);
                a6 = w.fma(v0, a6);
                b6 = w.fma(v1, b6);
                w = FloatVector.broadcast(SPECIES, p[p7 + j]);
                a7 = w.fma(v0, a7);
                b7 = w.fma(v1, b7);
            }
            int o = oOff + i0 * hidden + c;
            a0.div(sums[0]).intoArray(out, o);
            b0.div(sums[0]).intoArray(out, o + LANES);
            if (q > 1) {
                o += hidden;
                a1.div(sums[1]).intoArray(out, o);
                b1.div(sums[1]).intoArray(out, o + LANES);
            }
            if (q > 2) {
                o += hidden;
                a2.div(sums[2]).intoArray(out, o);
                b2.div(sums[2]).intoArray(out, o + LANES);
            }
            if (q > 3) {
                o += hidden;
                a3.div(sums[3]).intoArray(out, o);
                b3.div(sums[3]).intoArray(out, o + LANES);
            }
            if (q > 4) {
                o += hidden;
                a4.div(sums[4]).intoArray(out, o);
                b4.div(sums[4]).intoArray(out, o + LANES);
            }
            if (q > 5) {
                o += hidden;
                a5.div(sums[5]).intoArray(out, o);
                b5.div(sums[5]).intoArray(out, o + LANES);
            }
            if (q > 6) {
                o += hidden;
                a6.div(sums[6]).intoArray(out, o);
                b6.div(sums[6]).intoArray(out, o + LANES);
            }
            if (q > 7) {
                o += hidden;
                a7.div(sums[7]).intoArray(out, o);
                b7.div(sums[7]).intoArray(out, o + LANES);
            }
        }
    }

    /** The same sums with plain loops, for head sizes the vector path does not tile. */
    private static void weightedValuesAnyHeadDim(
            float[] qkv,
            int vOff,
            int stride,
            int i0,
            int q,
            int headDim,
            int jlo,
            int jhi,
            float[] p,
            int np,
            float[] sums,
            float[] out,
            int oOff,
            int hidden) {
        for (int r = 0; r < q; r++) {
            int o = oOff + (i0 + r) * hidden;
            for (int d = 0; d < headDim; d++) {
                float acc = 0;
                for (int j = jlo; j <= jhi; j++) acc += p[r * np + j] * qkv[vOff + j * stride + d];
                out[o + d] = acc / sums[r];
            }
        }
    }
}
