package io.streambert.gpu.device;

import io.streambert.engine.DeviceException;

import jcuda.Pointer;
import jcuda.cudaDataType;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasComputeType;
import jcuda.jcublas.cublasGemmAlgo;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasStatus;

/**
 * {@link Gemm} on {@link CudaDevice} through JCuda's cuBLAS: {@code cublasGemmEx} with bf16 A and W
 * ({@code CUDA_R_16BF}), {@code CUBLAS_COMPUTE_32F}, C as {@code CUDA_R_16BF} or {@code CUDA_R_32F}.
 * COMPILED BUT NEVER RUN: this project has no GPU; nothing here has been executed.
 *
 * <p>Row-major to cuBLAS's column-major: row-major C[rows, out] is column-major C^T [out, rows] (ldc = out);
 * row-major W[out, k] is column-major [k, out] (lda = k), used transposed; row-major A[rows, k] is column-major
 * [k, rows] (ldb = k), used as is. So C^T = op_T(W) x A with m = out, n = rows.
 *
 * <p>cublasGemmEx has no bias. With a bias, C is first filled with it by a rank-1 product (fp32 bias[out] x
 * ones[rows]) in an fp32 buffer, the main product adds into it (beta = 1), and for a bf16 C the fp32 result is
 * rounded once by {@code sb_f32_to_bf16} — the same single rounding as the emulator's stand-in and GemmTwin.
 */
public final class CublasGemm implements Gemm {
    private final CudaDevice device;
    private final cublasHandle handle = new cublasHandle();
    private DeviceBuffer ones, scratch;   // grown on demand: ones [rows] fp32 = 1, scratch [rows, out] fp32
    private int onesRows;

    public CublasGemm(CudaDevice device) {
        this.device = device;
        device.makeCurrent();
        check(JCublas2.cublasCreate(handle), "cublasCreate");
    }

    @Override
    public synchronized void run(DeviceBuffer a, DeviceBuffer w, DeviceBuffer bias, DeviceBuffer c, Output output,
                                 int rows, int out, int k) {
        Gemm.check(a, w, bias, c, output, rows, out, k);
        if (rows == 0) return;
        device.makeCurrent();
        int cType = output == Output.BF16 ? cudaDataType.CUDA_R_16BF : cudaDataType.CUDA_R_32F;
        if (bias == null) {
            gemm(w, a, c, cType, rows, out, k, 0f);
            return;
        }
        DeviceBuffer acc = output == Output.FP32 ? c : scratch(4L * rows * out);
        DeviceBuffer one = ones(rows);
        // acc^T [out, rows] = bias [out, 1] x ones [1, rows]
        check(JCublas2.cublasGemmEx(handle, cublasOperation.CUBLAS_OP_N, cublasOperation.CUBLAS_OP_N, out, rows, 1,
                Pointer.to(new float[] {1f}), ptr(bias), cudaDataType.CUDA_R_32F, out,
                ptr(one), cudaDataType.CUDA_R_32F, 1,
                Pointer.to(new float[] {0f}), ptr(acc), cudaDataType.CUDA_R_32F, out,
                cublasComputeType.CUBLAS_COMPUTE_32F, cublasGemmAlgo.CUBLAS_GEMM_DEFAULT), "cublasGemmEx (bias)");
        gemm(w, a, acc, cudaDataType.CUDA_R_32F, rows, out, k, 1f);
        if (output == Output.BF16) {
            int n = rows * out;
            device.launch("sb_f32_to_bf16", Dim3.of(Math.max(1, Math.min(4096, (n + 255) / 256))), Dim3.of(256), 0, acc, c, n);
        }
    }

    private void gemm(DeviceBuffer w, DeviceBuffer a, DeviceBuffer c, int cType, int rows, int out, int k, float beta) {
        check(JCublas2.cublasGemmEx(handle, cublasOperation.CUBLAS_OP_T, cublasOperation.CUBLAS_OP_N, out, rows, k,
                Pointer.to(new float[] {1f}), ptr(w), cudaDataType.CUDA_R_16BF, k,
                ptr(a), cudaDataType.CUDA_R_16BF, k,
                Pointer.to(new float[] {beta}), ptr(c), cType, out,
                cublasComputeType.CUBLAS_COMPUTE_32F, cublasGemmAlgo.CUBLAS_GEMM_DEFAULT), "cublasGemmEx");
    }

    private DeviceBuffer ones(int rows) {
        if (ones == null || onesRows < rows) {
            if (ones != null) ones.close();
            onesRows = Math.max(rows, 2 * onesRows);
            ones = device.alloc(4L * onesRows);
            float[] v = new float[onesRows];
            java.util.Arrays.fill(v, 1f);
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

    private static Pointer ptr(DeviceBuffer b) {
        if (!(b instanceof CudaBuffer c)) throw new DeviceException("cuBLAS: the buffer does not belong to a CUDA device");
        return c.pointer();
    }

    private static void check(int status, String call) {
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS)
            throw new DeviceException(call + " failed: " + cublasStatus.stringFor(status));
    }

    @Override
    public synchronized void close() {
        if (ones != null) ones.close();
        if (scratch != null) scratch.close();
        device.makeCurrent();
        JCublas2.cublasDestroy(handle);
    }
}
