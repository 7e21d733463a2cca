package io.streambert.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * A linear layer in bf16: y[rows, out] = bf16(x)[rows, in] bf16(W)^T + b with fp32 accumulation.
 * Weights are rounded to bf16 once (round-to-nearest-even, {@link Bf16}); activations per call. The
 * product runs in the native AVX512-BF16 kernel (sb_bf16_linear in
 * src/main/native/sb_cpu_kernels.cpp, vdpbf16ps: pairs of products per lane).
 *
 * <p>Layout (shared with the kernel): inputs padded to {@code kpad} (a multiple of 64) with zeros,
 * outputs to panels of 32; {@code packed[((p * kpad/2 + g) * 32 + c) * 2 + j] = bf16(W)[32p + c, 2g
 * + j]}. Only usable when {@link NativeCpu#bf16()}; {@link #convert} refuses otherwise.
 */
public final class Bf16Linear implements LinearOp {
    static final int NR = 32, MR = 12;
    private static final int ROW_BLOCK_BYTES = 256 * 1024;

    private final int out, in, kpad, panels;
    private final short[] packed;
    private final float[] bias; // [panels * NR], zeros without a bias

    private Bf16Linear(int out, int in, short[] packed, float[] bias) {
        this.out = out;
        this.in = in;
        this.kpad = Int8Linear.kpadFor(in);
        this.panels = (out + NR - 1) / NR;
        this.packed = packed;
        this.bias = bias;
    }

    /**
     * Rounds W [out, in] (row-major, as in the checkpoint) to bf16 and packs it; bias [out] or
     * null.
     */
    public static Bf16Linear convert(float[] w, float[] b, int out, int in) {
        if (!NativeCpu.bf16())
            throw new IllegalStateException(
                    "no bf16 kernel on this machine: " + NativeCpu.describe());
        LinearShapes.checkWeights(w, b, out, in);
        int kpad = Int8Linear.kpadFor(in), panels = (out + NR - 1) / NR;
        long size = (long) panels * NR * kpad;
        if (size > Integer.MAX_VALUE - 64)
            throw new IllegalArgumentException("linear layer " + out + "x" + in + " is too large");
        short[] packed = new short[(int) size];
        float[] bias = new float[panels * NR];
        int groups = kpad / 2;
        for (int o = 0; o < out; o++) {
            int p = o / NR, c = o % NR;
            for (int i = 0; i < in; i++)
                packed[((p * groups + i / 2) * NR + c) * 2 + (i & 1)] =
                        Bf16.fromFloat(w[o * in + i]);
            if (b != null) bias[o] = b[o];
        }
        return new Bf16Linear(out, in, packed, bias);
    }

    @Override
    public int out() {
        return out;
    }

    @Override
    public int in() {
        return in;
    }

    /** bf16(W)[o, i] as a float, read back from the packed layout. */
    public float weight(int o, int i) {
        return Bf16.toFloat(packed[((o / NR * (kpad / 2) + i / 2) * NR + o % NR) * 2 + (i & 1)]);
    }

    /** b[o], or 0 without a bias. */
    public float bias(int o) {
        return bias[o];
    }

    private static final ThreadLocal<short[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new short[][] {new short[0]});

    @Override
    public void apply(float[] x, int rows, float[] y) {
        LinearShapes.checkActivations(x, rows, in, y, out);
        if (rows == 0) return;
        short[][] sc = SCRATCH.get();
        if (sc[0].length < (long) rows * kpad)
            sc[0] = new short[Math.toIntExact((long) rows * kpad)];
        short[] xb = sc[0];
        NativeCpu n = NativeCpu.get();
        MemorySegment xs = MemorySegment.ofArray(x), xbs = MemorySegment.ofArray(xb);
        boolean serial = TileGrid.serial(rows, in, out);
        TileGrid.forEachRowRange(
                rows,
                serial,
                (a, e) -> {
                    n.bf16Convert.invokeExact(
                            xs.asSlice((long) a * in * 4),
                            e - a,
                            in,
                            kpad,
                            xbs.asSlice((long) a * kpad * 2));
                });
        int rowBlock = Math.max(MR, ROW_BLOCK_BYTES / (2 * kpad) / MR * MR);
        MemorySegment ws = MemorySegment.ofArray(packed),
                bs = MemorySegment.ofArray(bias),
                ys = MemorySegment.ofArray(y);
        TileGrid.forEachTile(
                rows,
                rowBlock,
                panels,
                serial,
                (r0, r1, p0, p1) -> {
                    n.bf16Linear.invokeExact(xbs, r0, r1, kpad, ws, bs, out, p0, p1, ys);
                });
    }
}
