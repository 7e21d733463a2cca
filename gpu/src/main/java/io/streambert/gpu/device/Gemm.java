package io.streambert.gpu.device;

/**
 * The encoder's matrix products, the job cuBLAS does on a GPU: {@code C[rows, out] = A[rows, k] x
 * W[out, k]^T (+ bias[out])}, A and W bf16 (W as a checkpoint stores a Linear's weight), products
 * and sums in fp32, the optional bias (fp32) added in fp32, then one rounding to C's type; with
 * {@link Output#FP32_ADD} the fp32 result is added to what C holds instead (C += A x W^T + bias:
 * the output projections write straight into the fp32 residual stream). All matrices row-major and
 * dense. {@link CublasGemm} on {@link CudaDevice}; our kernel sb_gemm_bf16 ({@code
 * kernels.TiledGemm}) on any device; {@link EmulatedGemm} (a host stand-in, not a kernel under
 * test) on {@link EmulatedDevice}; {@code kernels.GemmBackends} picks one; {@code
 * io.streambert.gpu.kernels.GemmReference} is the plain loop.
 */
public interface Gemm extends AutoCloseable {

    /** C's element type, and whether the product replaces C or is added to it. */
    enum Output {
        /** C = product (+ bias), fp32. */
        FP32(4),
        /** C = bf16(product (+ bias)), one rounding. */
        BF16(2),
        /**
         * C += product (+ bias), fp32: the product and bias are summed in fp32 first, then added to
         * C's old value (cuBLAS: beta = 1; sb_gemm_bf16: its accumulate epilogue).
         */
        FP32_ADD(4);
        public final int bytes;

        Output(int bytes) {
            this.bytes = bytes;
        }
    }

    /** bias may be null. */
    void run(
            DeviceBuffer a,
            DeviceBuffer w,
            DeviceBuffer bias,
            DeviceBuffer c,
            Output output,
            int rows,
            int out,
            int k);

    /** Rejects shapes and buffers that cannot hold them, naming the product. */
    static void check(
            DeviceBuffer a,
            DeviceBuffer w,
            DeviceBuffer bias,
            DeviceBuffer c,
            Output output,
            int rows,
            int out,
            int k) {
        if (rows < 0 || out < 1 || k < 1)
            throw new IllegalArgumentException(
                    "GEMM shape rows " + rows + ", out " + out + ", k " + k + " is invalid");
        need(a, 2L * rows * k, "A [" + rows + ", " + k + "] bf16");
        need(w, 2L * out * k, "W [" + out + ", " + k + "] bf16");
        if (bias != null) need(bias, 4L * out, "bias [" + out + "] fp32");
        need(c, (long) output.bytes * rows * out, "C [" + rows + ", " + out + "] " + output);
    }

    private static void need(DeviceBuffer b, long bytes, String what) {
        if (b == null || b.bytes() < bytes)
            throw new IllegalArgumentException(
                    "GEMM: "
                            + what
                            + " needs "
                            + bytes
                            + " bytes, the buffer has "
                            + (b == null ? "none" : b.bytes()));
    }

    @Override
    default void close() {}
}
