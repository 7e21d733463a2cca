package io.streambert.engine.cpu;

import static io.streambert.engine.cpu.LinearTile.KC;
import static io.streambert.engine.cpu.LinearTile.LANES;
import static io.streambert.engine.cpu.LinearTile.MR;
import static io.streambert.engine.cpu.LinearTile.NR;
import static io.streambert.engine.cpu.LinearTile.ROW_BLOCK_BYTES;
import static io.streambert.engine.cpu.LinearTile.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * y[rows, out] = x[rows, in] W^T + b with the Vector API.
 *
 * <p>Blocking, outermost first: row blocks of x that fit L2 x panel ranges (the parallel tasks) ->
 * panel -> KC slice of the inner dimension (the panel slice fits L1) -> MR-row tiles -> the
 * micro-kernel, which keeps MR x NR outputs in registers and per input index does 2 weight loads,
 * MR broadcasts and 2*MR FMAs. The first K slice starts from the bias, later ones from the partial
 * sums in y.
 */
final class LinearKernel {
    private LinearKernel() {}

    static void linear(float[] x, int rows, PackedLinear w, float[] y) {
        int in = w.in, out = w.out;
        LinearShapes.checkActivations(x, rows, in, y, out);
        if (rows == 0) return;
        int rowBlock = Math.max(MR, (ROW_BLOCK_BYTES / (4 * in)) / MR * MR);
        TileGrid.forEachTile(
                rows,
                rowBlock,
                w.panels,
                TileGrid.serial(rows, in, w.out),
                (r0, r1, p0, p1) -> tile(r0, r1, p0, p1, x, w, y));
    }

    /** Rows [r0, r1) times weight panels [p0, p1) of {@code y = x W^T}. */
    private static void tile(int r0, int r1, int p0, int p1, float[] x, PackedLinear w, float[] y) {
        float[] tile = new float[MR * NR];
        int in = w.in;
        int kBlocks = (in + KC - 1) / KC;
        int kc =
                (in + kBlocks - 1)
                        / kBlocks; // even slices, e.g. 1152 -> 5 x 231 rather than 4 x 256 + 128
        for (int p = p0; p < p1; p++) {
            int col0 = p * NR;
            int valid = Math.min(NR, w.out - col0);
            for (int k0 = 0; k0 < in; k0 += kc) {
                int k1 = Math.min(in, k0 + kc);
                boolean first = k0 == 0;
                for (int r = r0; r < r1; r += MR)
                    micro(x, r, Math.min(MR, r1 - r), w, p, col0, valid, k0, k1, first, y, tile);
            }
        }
    }

    /**
     * One MR x NR tile over inputs [k0, k1). Rows past {@code n} repeat the last valid row (cheap,
     * in cache) and are not stored, so a short tail needs no separate kernel.
     */
    private static void micro(
            float[] x,
            int r,
            int n,
            PackedLinear w,
            int p,
            int col0,
            int valid,
            int k0,
            int k1,
            boolean first,
            float[] y,
            float[] tile) {
        int in = w.in, out = w.out;
        int last = r + n - 1;
        int x0 = r * in, x1 = Math.min(r + 1, last) * in, x2 = Math.min(r + 2, last) * in;
        int x3 = Math.min(r + 3, last) * in,
                x4 = Math.min(r + 4, last) * in,
                x5 = Math.min(r + 5, last) * in;
        FloatVector z = FloatVector.zero(SPECIES);
        FloatVector a00 = z,
                a01 = z,
                a10 = z,
                a11 = z,
                a20 = z,
                a21 = z,
                a30 = z,
                a31 = z,
                a40 = z,
                a41 = z,
                a50 = z,
                a51 = z;
        float[] pw = w.panel;
        int pb = p * in * NR + k0 * NR;
        for (int k = k0; k < k1; k++, pb += NR) {
            FloatVector w0 = FloatVector.fromArray(SPECIES, pw, pb);
            FloatVector w1 = FloatVector.fromArray(SPECIES, pw, pb + LANES);
            FloatVector v;
            v = FloatVector.broadcast(SPECIES, x[x0 + k]);
            a00 = v.fma(w0, a00);
            a01 = v.fma(w1, a01);
            v = FloatVector.broadcast(SPECIES, x[x1 + k]);
            a10 = v.fma(w0, a10);
            a11 = v.fma(w1, a11);
            v = FloatVector.broadcast(SPECIES, x[x2 + k]);
            a20 = v.fma(w0, a20);
            a21 = v.fma(w1, a21);
            v = FloatVector.broadcast(SPECIES, x[x3 + k]);
            a30 = v.fma(w0, a30);
            a31 = v.fma(w1, a31);
            v = FloatVector.broadcast(SPECIES, x[x4 + k]);
            a40 = v.fma(w0, a40);
            a41 = v.fma(w1, a41);
            v = FloatVector.broadcast(SPECIES, x[x5 + k]);
            a50 = v.fma(w0, a50);
            a51 = v.fma(w1, a51);
        }
        // Vectors never cross a call or a branch (either would box them): the sums go to a scratch
        // tile, and
        // flush adds the bias (first slice) or the earlier partial sums and writes the valid rows
        // and columns.
        a00.intoArray(tile, 0);
        a01.intoArray(tile, LANES);
        a10.intoArray(tile, NR);
        a11.intoArray(tile, NR + LANES);
        a20.intoArray(tile, 2 * NR);
        a21.intoArray(tile, 2 * NR + LANES);
        a30.intoArray(tile, 3 * NR);
        a31.intoArray(tile, 3 * NR + LANES);
        a40.intoArray(tile, 4 * NR);
        a41.intoArray(tile, 4 * NR + LANES);
        a50.intoArray(tile, 5 * NR);
        a51.intoArray(tile, 5 * NR + LANES);
        flush(tile, n, y, r * out + col0, out, valid, first ? w.biasPadded : null, col0);
    }

    private static void flush(
            float[] tile, int n, float[] y, int y0, int out, int valid, float[] bias, int col0) {
        if (valid < NR) {
            flushPartial(tile, n, y, y0, out, valid, bias, col0);
            return;
        }
        for (int row = 0; row < n; row++) {
            int off = y0 + row * out;
            for (int c = 0; c < NR; c += LANES) {
                FloatVector v = FloatVector.fromArray(SPECIES, tile, row * NR + c);
                v =
                        v.add(
                                bias != null
                                        ? FloatVector.fromArray(SPECIES, bias, col0 + c)
                                        : FloatVector.fromArray(SPECIES, y, off + c));
                v.intoArray(y, off + c);
            }
        }
    }

    /**
     * The last panel of a layer whose width is not a multiple of NR: masked, so nothing past the
     * row is touched.
     */
    private static void flushPartial(
            float[] tile, int n, float[] y, int y0, int out, int valid, float[] bias, int col0) {
        for (int row = 0; row < n; row++) {
            int off = y0 + row * out;
            for (int c = 0; c < NR; c += LANES) {
                VectorMask<Float> m = SPECIES.indexInRange(c, valid);
                FloatVector v = FloatVector.fromArray(SPECIES, tile, row * NR + c);
                v =
                        v.add(
                                bias != null
                                        ? FloatVector.fromArray(SPECIES, bias, col0 + c)
                                        : FloatVector.fromArray(SPECIES, y, off + c, m));
                v.intoArray(y, off + c, m);
            }
        }
    }
}
