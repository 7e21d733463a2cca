package io.streambert.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * A linear layer in int8: y[rows, out] = x[rows, in] W^T + b with
 *
 * <ul>
 *   <li>weights quantised once, per output channel, symmetric: sw[o] = max_i |W[o,i]| / 127,
 *       qw[o,i] = rint(W[o,i] * (127 / max_i |W[o,i]|)) in [-127, 127];
 *   <li>activations quantised per token at run time the same way (sx[r], qx[r,i]);
 *   <li>int32 accumulation, then y[r,o] = fma((float) sum_i qx[r,i] qw[o,i], sx[r] * sw[o], b[o]).
 * </ul>
 *
 * The product runs in the native AVX512-VNNI kernel (sb_q8_linear in
 * src/main/native/sb_cpu_kernels.cpp), which takes activations as u8 = q + 128 and subtracts 128 *
 * sum_i qw[o,i] per column afterwards.
 *
 * <p>Layout (shared with the kernel): inputs padded to {@code kpad} (a multiple of 64), outputs to
 * panels of 32; {@code packed[((p * kpad/4 + g) * 32 + c) * 4 + j] = qw[32p + c, 4g + j]}. Only
 * usable when {@link NativeCpu#int8()}; {@link #quantize} refuses otherwise.
 */
public final class Int8Linear implements LinearOp {
    static final int NR = 32, MR = 12, K_ALIGN = 64;
    private static final int ROW_BLOCK_BYTES =
            256 * 1024; // quantised x rows per task: stay in L2 while panels pass

    private final int out, in, kpad, panels;
    private final byte[] packed;
    private final float[] scale; // [panels * NR], 0 past out
    private final int[] wsum128; // [panels * NR]: 128 * sum_i qw[o,i]
    private final float[] bias; // [panels * NR], zeros without a bias

    private Int8Linear(int out, int in, byte[] packed, float[] scale, int[] wsum128, float[] bias) {
        this.out = out;
        this.in = in;
        this.kpad = kpadFor(in);
        this.panels = (out + NR - 1) / NR;
        this.packed = packed;
        this.scale = scale;
        this.wsum128 = wsum128;
        this.bias = bias;
    }

    static int kpadFor(int in) {
        return (in + K_ALIGN - 1) / K_ALIGN * K_ALIGN;
    }

    /** Quantises W [out, in] (row-major, as in the checkpoint) and packs it; bias [out] or null. */
    public static Int8Linear quantize(float[] w, float[] b, int out, int in) {
        if (!NativeCpu.int8())
            throw new IllegalStateException(
                    "no int8 kernel on this machine: " + NativeCpu.describe());
        LinearShapes.checkWeights(w, b, out, in);
        int kpad = kpadFor(in), panels = (out + NR - 1) / NR;
        long size = (long) panels * NR * kpad;
        if (size > Integer.MAX_VALUE - 64)
            throw new IllegalArgumentException("linear layer " + out + "x" + in + " is too large");
        byte[] packed = new byte[(int) size];
        float[] scale = new float[panels * NR];
        int[] wsum = new int[panels * NR];
        float[] bias = new float[panels * NR];
        int groups = kpad / 4;
        for (int o = 0; o < out; o++) {
            float amax = 0f;
            for (int i = 0; i < in; i++) amax = Math.max(amax, Math.abs(w[o * in + i]));
            float inv = amax > 0 ? 127f / amax : 0f;
            scale[o] = amax / 127f;
            int p = o / NR, c = o % NR, sum = 0;
            for (int i = 0; i < in; i++) {
                int q = quantizeValue(w[o * in + i], inv);
                sum += q;
                packed[((p * groups + i / 4) * NR + c) * 4 + (i & 3)] = (byte) q;
            }
            wsum[o] = 128 * sum;
            if (b != null) bias[o] = b[o];
        }
        return new Int8Linear(out, in, packed, scale, wsum, bias);
    }

    /**
     * rint(v * inv), clamped to [-127, 127] (the clamp only matters for rounding at the very edge).
     */
    static int quantizeValue(float v, float inv) {
        int q = (int) Math.rint(v * inv);
        return Math.max(-127, Math.min(127, q));
    }

    @Override
    public int out() {
        return out;
    }

    @Override
    public int in() {
        return in;
    }

    /** qw[o, i], read back from the packed layout. */
    public int quantizedWeight(int o, int i) {
        return packed[((o / NR * (kpad / 4) + i / 4) * NR + o % NR) * 4 + (i & 3)];
    }

    /** sw[o]. */
    public float weightScale(int o) {
        return scale[o];
    }

    /** b[o], or 0 without a bias. */
    public float bias(int o) {
        return bias[o];
    }

    private static final class Scratch {
        byte[] qx = new byte[0];
        float[] sx = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    @Override
    public void apply(float[] x, int rows, float[] y) {
        LinearShapes.checkActivations(x, rows, in, y, out);
        if (rows == 0) return;
        Scratch sc = SCRATCH.get();
        if (sc.qx.length < (long) rows * kpad)
            sc.qx = new byte[Math.toIntExact((long) rows * kpad)];
        if (sc.sx.length < rows) sc.sx = new float[rows];
        byte[] qx = sc.qx;
        float[] sx = sc.sx;
        NativeCpu n = NativeCpu.get();
        MemorySegment xs = MemorySegment.ofArray(x),
                qs = MemorySegment.ofArray(qx),
                ss = MemorySegment.ofArray(sx);
        boolean serial = TileGrid.serial(rows, in, out);
        // quantise the activations, in row chunks over the workers
        TileGrid.forEachRowRange(
                rows,
                serial,
                (a, e) -> {
                    n.q8Quantize.invokeExact(
                            xs.asSlice((long) a * in * 4),
                            e - a,
                            in,
                            kpad,
                            qs.asSlice((long) a * kpad),
                            ss.asSlice(a * 4L));
                });
        int rowBlock = Math.max(MR, ROW_BLOCK_BYTES / kpad / MR * MR);
        MemorySegment ws = MemorySegment.ofArray(packed),
                sws = MemorySegment.ofArray(scale),
                sums = MemorySegment.ofArray(wsum128);
        MemorySegment bs = MemorySegment.ofArray(bias), ys = MemorySegment.ofArray(y);
        TileGrid.forEachTile(
                rows,
                rowBlock,
                panels,
                serial,
                (r0, r1, p0, p1) -> {
                    n.q8Linear.invokeExact(
                            qs, ss, r0, r1, kpad, ws, sws, sums, bs, out, p0, p1, ys);
                });
    }
}
