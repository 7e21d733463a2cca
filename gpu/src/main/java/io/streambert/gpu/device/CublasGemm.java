package io.streambert.gpu.device;

import io.streambert.engine.DeviceException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * {@link Gemm} on {@link CudaDevice} through cuBLAS bound with the FFM API ({@link CublasLibrary}):
 * {@code cublasGemmEx} with bf16 A and W ({@code CUDA_R_16BF}), {@code CUBLAS_COMPUTE_32F}, C as
 * {@code CUDA_R_16BF} or {@code CUDA_R_32F}. NOT YET RUN ON A GPU (this project has none): the
 * acceptance bundle's first step on one is to compare it with sb_gemm_bf16 and the plain loop.
 *
 * <p>Row-major to cuBLAS's column-major: row-major C[rows, out] is column-major C^T [out, rows]
 * (ldc = out); row-major W[out, k] is column-major [k, out] (lda = k), used transposed; row-major
 * A[rows, k] is column-major [k, rows] (ldb = k), used as is. So C^T = op_T(W) x A with m = out, n
 * = rows.
 *
 * <p>cublasGemmEx has no bias. With a bias, C is first filled with it by a rank-1 product (fp32
 * bias[out] x ones[rows]) in an fp32 buffer, the main product adds into it (beta = 1), and for a
 * bf16 C the fp32 result is rounded once by {@code sb_f32_to_bf16}: the single rounding of the Gemm
 * contract.
 *
 * <p>{@link Output#FP32_ADD} (C += A x W^T + bias, the residual stream): the same calls with beta =
 * 1 on the fp32 C itself, so C's old value is kept and the bias and the product are added to it
 * (cuBLAS computes C = alpha op(A) op(B) + beta C; with beta = 1 it reads C, so the order of the
 * fp32 additions differs from GemmReference's by rounding noise only).
 */
public final class CublasGemm implements Gemm {
    private final CudaDevice device;
    private final CublasLibrary cublas;
    private final MemorySegment handle;
    private DeviceBuffer ones,
            scratch; // grown on demand: ones [rows] fp32 = 1, scratch [rows, out] fp32
    private int onesRows;

    public CublasGemm(CudaDevice device, CublasLibrary cublas) {
        this.device = device;
        this.cublas = cublas;
        device.makeCurrent();
        this.handle = cublas.create();
    }

    @Override
    public synchronized void run(
            DeviceBuffer a,
            DeviceBuffer w,
            DeviceBuffer bias,
            DeviceBuffer c,
            Output output,
            int rows,
            int out,
            int k) {
        Gemm.check(a, w, bias, c, output, rows, out, k);
        if (rows == 0) return;
        device.makeCurrent();
        int cType = output == Output.BF16 ? CublasLibrary.CUDA_R_16BF : CublasLibrary.CUDA_R_32F;
        // FP32_ADD: C keeps its old value (beta = 1) and every product below adds into it
        boolean add = output == Output.FP32_ADD;
        if (bias == null) {
            gemm(w, a, c, cType, rows, out, k, add ? 1f : 0f);
            return;
        }
        DeviceBuffer acc = output == Output.BF16 ? scratch(4L * rows * out) : c;
        DeviceBuffer one = ones(rows);
        // acc^T [out, rows] (= or +=) bias [out, 1] x ones [1, rows]
        cublas.gemmEx(
                handle,
                CublasLibrary.OP_N,
                CublasLibrary.OP_N,
                out,
                rows,
                1,
                1f,
                address(bias),
                CublasLibrary.CUDA_R_32F,
                out,
                address(one),
                CublasLibrary.CUDA_R_32F,
                1,
                add ? 1f : 0f,
                address(acc),
                CublasLibrary.CUDA_R_32F,
                out,
                "cublasGemmEx (bias)");
        gemm(w, a, acc, CublasLibrary.CUDA_R_32F, rows, out, k, 1f);
        if (output == Output.BF16) {
            int n = rows * out;
            device.launch(
                    "sb_f32_to_bf16",
                    Dim3.of(Math.max(1, Math.min(4096, (n + 255) / 256))),
                    Dim3.of(256),
                    0,
                    acc,
                    c,
                    n);
        }
    }

    private void gemm(
            DeviceBuffer w,
            DeviceBuffer a,
            DeviceBuffer c,
            int cType,
            int rows,
            int out,
            int k,
            float beta) {
        cublas.gemmEx(
                handle,
                CublasLibrary.OP_T,
                CublasLibrary.OP_N,
                out,
                rows,
                k,
                1f,
                address(w),
                CublasLibrary.CUDA_R_16BF,
                k,
                address(a),
                CublasLibrary.CUDA_R_16BF,
                k,
                beta,
                address(c),
                cType,
                out,
                "cublasGemmEx");
    }

    private DeviceBuffer ones(int rows) {
        if (ones == null || onesRows < rows) {
            if (ones != null) ones.close();
            onesRows = Math.max(rows, 2 * onesRows);
            ones = device.alloc(4L * onesRows);
            float[] v = new float[onesRows];
            Arrays.fill(v, 1f);
            device.upload(v, ones);
        }
        return ones;
    }

    private DeviceBuffer scratch(long bytes) {
        if (scratch == null || scratch.bytes() < bytes) {
            if (scratch != null) scratch.close();
            scratch = device.alloc(Math.max(bytes, scratch == null ? 0 : 2 * scratch.bytes()));
        }
        return scratch;
    }

    private static long address(DeviceBuffer b) {
        if (!(b instanceof CudaBuffer c))
            throw new DeviceException("cuBLAS: the buffer does not belong to a CUDA device");
        return c.address();
    }

    @Override
    public String toString() {
        return "cuBLAS " + cublas.name() + " (cublasGemmEx, bf16 in, fp32 compute)";
    }

    @Override
    public synchronized void close() {
        if (ones != null) ones.close();
        if (scratch != null) scratch.close();
        device.makeCurrent();
        cublas.destroy(handle);
    }
}
