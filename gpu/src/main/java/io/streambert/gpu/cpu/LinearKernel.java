package io.streambert.gpu.cpu;

import static io.streambert.gpu.cpu.LinearTile.KC;
import static io.streambert.gpu.cpu.LinearTile.LANES;
import static io.streambert.gpu.cpu.LinearTile.MR;
import static io.streambert.gpu.cpu.LinearTile.NR;
import static io.streambert.gpu.cpu.LinearTile.ROW_BLOCK_BYTES;
import static io.streambert.gpu.cpu.LinearTile.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * y[rows, out] = x[rows, in] W^T + b with the Vector API.
 *
 * <p>Blocking, outermost first: row blocks of x that fit L2 x panel ranges (the parallel tasks) ->
 * panel -> KC slice of the inner dimension (the panel slice fits L1) -> MR-row tiles -> the micro-kernel,
 * which keeps MR x NR outputs in registers and per input index does 2 weight loads, MR broadcasts
 * and 2*MR FMAs. The first K slice starts from the bias, later ones from the partial sums in y.
 */
final class LinearKernel {
    private LinearKernel() {}

    static void linear(float[] x, int rows, PackedLinear w, float[] y) {
        int in = w.in, out = w.out;
        if (rows < 0) throw new IllegalArgumentException("rows " + rows);
        if (x.length < (long) rows * in) throw new IllegalArgumentException("x has " + x.length + " values, expected at least " + rows + "x" + in);
        if (y.length < (long) rows * out) throw new IllegalArgumentException("y has " + y.length + " values, expected at least " + rows + "x" + out);
        if (rows == 0) return;
        int rowBlock = Math.max(MR, (ROW_BLOCK_BYTES / (4 * in)) / MR * MR);
        int rowBlocks = (rows + rowBlock - 1) / rowBlock;
        int panels = w.panels;
        // Enough tasks for the workers to balance (the cores are shared), but each task long enough to amortise.
        int wanted = 4 * CpuParallel.threads();
        int panelChunks = Math.min(panels, Math.max(1, (wanted + rowBlocks - 1) / rowBlocks));
        long work = (long) rows * in * out;
        if (work < 1 << 16) panelChunks = 1;
        int chunks = panelChunks;
        int tasks = rowBlocks * chunks;
        if (work < 1 << 16) { // a few microseconds: not worth waking the workers
            for (int t = 0; t < tasks; t++) task(t, chunks, rowBlock, x, rows, w, y);
            return;
        }
        CpuParallel.forEach(tasks, t -> task(t, chunks, rowBlock, x, rows, w, y));
    }

    private static void task(int t, int chunks, int rowBlock, float[] x, int rows, PackedLinear w, float[] y) {
        int rb = t / chunks, pc = t % chunks;
        int r0 = rb * rowBlock, r1 = Math.min(rows, r0 + rowBlock);
        int p0 = (int) ((long) w.panels * pc / chunks), p1 = (int) ((long) w.panels * (pc + 1) / chunks);
        int in = w.in;
        int kBlocks = (in + KC - 1) / KC;
        int kc = (in + kBlocks - 1) / kBlocks; // even slices, e.g. 1152 -> 5 x 231 rather than 4 x 256 + 128
        for (int p = p0; p < p1; p++) {
            int col0 = p * NR;
            int valid = Math.min(NR, w.out - col0);
            for (int k0 = 0; k0 < in; k0 += kc) {
                int k1 = Math.min(in, k0 + kc);
                boolean first = k0 == 0;
                for (int r = r0; r < r1; r += MR) micro(x, r, Math.min(MR, r1 - r), w, p, col0, valid, k0, k1, first, y);
            }
        }
    }

    /**
     * One MR x NR tile over inputs [k0, k1). Rows past {@code n} repeat the last valid row (cheap, in cache)
     * and are not stored, so a short tail needs no separate kernel.
     */
    private static void micro(float[] x, int r, int n, PackedLinear w, int p, int col0, int valid,
                              int k0, int k1, boolean first, float[] y) {
        int in = w.in, out = w.out;
        int last = r + n - 1;
        int x0 = r * in, x1 = Math.min(r + 1, last) * in, x2 = Math.min(r + 2, last) * in;
        int x3 = Math.min(r + 3, last) * in, x4 = Math.min(r + 4, last) * in, x5 = Math.min(r + 5, last) * in;
        VectorMask<Float> m0 = SPECIES.indexInRange(0, valid);
        VectorMask<Float> m1 = SPECIES.indexInRange(LANES, valid);
        FloatVector a00, a01, a10, a11, a20, a21, a30, a31, a40, a41, a50, a51;
        if (first) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, w.biasPadded, col0);
            FloatVector b1 = FloatVector.fromArray(SPECIES, w.biasPadded, col0 + LANES);
            a00 = b0; a01 = b1; a10 = b0; a11 = b1; a20 = b0; a21 = b1;
            a30 = b0; a31 = b1; a40 = b0; a41 = b1; a50 = b0; a51 = b1;
        } else {
            int y0 = r * out + col0, y1 = Math.min(r + 1, last) * out + col0, y2 = Math.min(r + 2, last) * out + col0;
            int y3 = Math.min(r + 3, last) * out + col0, y4 = Math.min(r + 4, last) * out + col0, y5 = Math.min(r + 5, last) * out + col0;
            a00 = FloatVector.fromArray(SPECIES, y, y0, m0); a01 = FloatVector.fromArray(SPECIES, y, y0 + LANES, m1);
            a10 = FloatVector.fromArray(SPECIES, y, y1, m0); a11 = FloatVector.fromArray(SPECIES, y, y1 + LANES, m1);
            a20 = FloatVector.fromArray(SPECIES, y, y2, m0); a21 = FloatVector.fromArray(SPECIES, y, y2 + LANES, m1);
            a30 = FloatVector.fromArray(SPECIES, y, y3, m0); a31 = FloatVector.fromArray(SPECIES, y, y3 + LANES, m1);
            a40 = FloatVector.fromArray(SPECIES, y, y4, m0); a41 = FloatVector.fromArray(SPECIES, y, y4 + LANES, m1);
            a50 = FloatVector.fromArray(SPECIES, y, y5, m0); a51 = FloatVector.fromArray(SPECIES, y, y5 + LANES, m1);
        }
        float[] pw = w.panel;
        int pb = p * in * NR + k0 * NR;
        for (int k = k0; k < k1; k++, pb += NR) {
            FloatVector w0 = FloatVector.fromArray(SPECIES, pw, pb);
            FloatVector w1 = FloatVector.fromArray(SPECIES, pw, pb + LANES);
            FloatVector v;
            v = FloatVector.broadcast(SPECIES, x[x0 + k]); a00 = v.fma(w0, a00); a01 = v.fma(w1, a01);
            v = FloatVector.broadcast(SPECIES, x[x1 + k]); a10 = v.fma(w0, a10); a11 = v.fma(w1, a11);
            v = FloatVector.broadcast(SPECIES, x[x2 + k]); a20 = v.fma(w0, a20); a21 = v.fma(w1, a21);
            v = FloatVector.broadcast(SPECIES, x[x3 + k]); a30 = v.fma(w0, a30); a31 = v.fma(w1, a31);
            v = FloatVector.broadcast(SPECIES, x[x4 + k]); a40 = v.fma(w0, a40); a41 = v.fma(w1, a41);
            v = FloatVector.broadcast(SPECIES, x[x5 + k]); a50 = v.fma(w0, a50); a51 = v.fma(w1, a51);
        }
        store(a00, a01, y, r * out + col0, m0, m1);
        if (n > 1) store(a10, a11, y, (r + 1) * out + col0, m0, m1);
        if (n > 2) store(a20, a21, y, (r + 2) * out + col0, m0, m1);
        if (n > 3) store(a30, a31, y, (r + 3) * out + col0, m0, m1);
        if (n > 4) store(a40, a41, y, (r + 4) * out + col0, m0, m1);
        if (n > 5) store(a50, a51, y, (r + 5) * out + col0, m0, m1);
    }

    private static void store(FloatVector v0, FloatVector v1, float[] y, int off, VectorMask<Float> m0, VectorMask<Float> m1) {
        v0.intoArray(y, off, m0);
        v1.intoArray(y, off + LANES, m1);
    }
}
