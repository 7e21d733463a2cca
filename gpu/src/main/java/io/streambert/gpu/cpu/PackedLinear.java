package io.streambert.gpu.cpu;

/**
 * The weights of one linear layer (y = x W^T + b), laid out once at load time for the kernel in
 * {@link CpuKernels#linear}. The layout is the kernel's business; callers only pack and pass.
 */
public final class PackedLinear {
    final int out;      // rows of W
    final int in;       // columns of W
    final float[] w;    // [out, in] row-major (the naive layout; the fast kernel may choose another)
    final float[] bias; // [out] or null

    private PackedLinear(int out, int in, float[] w, float[] bias) {
        this.out = out;
        this.in = in;
        this.w = w;
        this.bias = bias;
    }

    /** @param w [out, in] row-major, as stored in the checkpoint; @param bias [out] or null */
    public static PackedLinear pack(float[] w, float[] bias, int out, int in) {
        if (w.length != (long) out * in) throw new IllegalArgumentException("weight has " + w.length + " values, expected " + out + "x" + in);
        if (bias != null && bias.length != out) throw new IllegalArgumentException("bias has " + bias.length + " values, expected " + out);
        return new PackedLinear(out, in, w.clone(), bias == null ? null : bias.clone());
    }

    public int out() { return out; }
    public int in() { return in; }
}
