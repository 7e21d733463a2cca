package io.streambert.engine.cpu;

/**
 * The weights of one linear layer (y = x W^T + b), laid out once at load time for the kernel in
 * {@link CpuKernels#linear}. Callers only pack and pass.
 *
 * <p>Layout: the outputs are cut into panels of {@link LinearTile#NR} columns; a panel holds its
 * columns k-major ({@code [in][NR]}), so the kernel's inner step reads NR consecutive weights for
 * one input index with whole-vector loads. The last panel is zero-padded, and so is the bias.
 */
public final class PackedLinear {
    final int out; // rows of W (output features)
    final int in; // columns of W (input features)
    final int panels; // ceil(out / NR)
    final float[] panel; // [panels][in][NR]
    final float[] bias; // [out] as given, or null
    final float[] biasPadded; // [panels * NR], zeros when there is no bias

    private PackedLinear(int out, int in, float[] panel, float[] bias, float[] biasPadded) {
        this.out = out;
        this.in = in;
        this.panels = panelsFor(out);
        this.panel = panel;
        this.bias = bias;
        this.biasPadded = biasPadded;
    }

    static int panelsFor(int out) {
        return (out + LinearTile.NR - 1) / LinearTile.NR;
    }

    /**
     * Packs a linear layer's weights into panels.
     *
     * @param w [out, in] row-major, as stored in the checkpoint
     * @param bias [out] or null
     */
    public static PackedLinear pack(float[] w, float[] bias, int out, int in) {
        LinearShapes.checkWeights(w, bias, out, in);
        int nr = LinearTile.NR;
        int panels = panelsFor(out);
        long size = (long) panels * in * nr;
        if (size > Integer.MAX_VALUE - 16)
            throw new IllegalArgumentException(
                    "linear layer " + out + "x" + in + " is too large for one packed array");
        float[] p = new float[(int) size];
        for (int o = 0; o < out; o++) {
            int base = (o / nr) * in * nr + (o % nr);
            int src = o * in;
            for (int i = 0; i < in; i++) p[base + i * nr] = w[src + i];
        }
        float[] bp = new float[panels * nr];
        if (bias != null) System.arraycopy(bias, 0, bp, 0, out);
        return new PackedLinear(out, in, p, bias == null ? null : bias.clone(), bp);
    }

    public int out() {
        return out;
    }

    public int in() {
        return in;
    }

    /** W[o][i], read back from the packed layout (for the plain-loop twin and tests). */
    public float weight(int o, int i) {
        int nr = LinearTile.NR;
        return panel[(o / nr) * in * nr + i * nr + (o % nr)];
    }

    /** b[o], or 0 without a bias. */
    public float bias(int o) {
        return bias == null ? 0f : bias[o];
    }

    public boolean hasBias() {
        return bias != null;
    }
}
