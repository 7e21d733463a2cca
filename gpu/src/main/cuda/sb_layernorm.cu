// sb_layernorm.cu: LayerNorm over the rows of the residual stream, plain, fused with the residual add, and fused
// with the embedding gather.
//
// Math, per row r of width dim:  mean = sum(x)/dim,  var = sum((x - mean)^2)/dim  (two passes, biased),
//   out[r, c] = (x[r, c] - mean) / sqrt(var + eps) * weight[c] (+ bias[c] when has_bias != 0; bias is optional, and
//   Device.launch has no null pointer, so a flag says whether the bias pointer is read).
// Kernels and shapes (row-major):
//   sb_layernorm       (x [rows, dim] fp32, out [rows, dim] bf16, weight [dim] fp32, bias [dim] fp32, has_bias, rows, dim, eps)
//   sb_add_layernorm   (x [rows, dim] fp32 (in/out), y [rows, dim] bf16, out, weight, bias, has_bias, rows, dim, eps):
//                      x += y (fp32), then out = LN(x)  -- pre-norm residual step: y is a GEMM's bf16 output
//   sb_embed_layernorm (ids [rows] int32, table [vocab, dim] bf16, x [rows, dim] fp32 (out), out [rows, dim] bf16,
//                      weight, bias, has_bias, rows, dim, vocab, eps): x = LN(table[ids]); out = bf16(x)
//                      an id outside [0, vocab) gives a NaN row (the tokenizer never emits one; NaN is loud).
// Dtypes: the residual stream x stays fp32 across the layers (no rounding drift over 22 adds); statistics in fp32;
// out is bf16 because it feeds a cuBLAS bf16 GEMM; weights fp32.
// Launch (io.streambert.gpu.kernels.LayerNormLaunch): one warp per row, warps_per_block warps per block,
// grid.x = ceil(rows / warps_per_block); each lane strides over columns lane, lane + 32, ..., so a lane re-reads
// only what it wrote itself (no barrier needed between passes).
#include "sb_reduce.cuh"

namespace sb_ln {

// Normalises row x (fp32, already final) into out and, when x_out is set, copies the normalised fp32 row there.
__device__ __forceinline__ void normalise_row(const float* x, __nv_bfloat16* out, float* x_out, const float* weight,
                                              const float* bias, int dim, float eps, int lane) {
    float sum = 0.f;
    for (int c = lane; c < dim; c += 32) sum += x[c];
    const float mean = sb_warp_sum(sum) / dim;
    float sq = 0.f;
    for (int c = lane; c < dim; c += 32) { const float d = x[c] - mean; sq += d * d; }
    const float rstd = rsqrtf(sb_warp_sum(sq) / dim + eps);
    for (int c = lane; c < dim; c += 32) {
        float v = (x[c] - mean) * rstd * weight[c];
        if (bias != nullptr) v += bias[c];
        if (x_out != nullptr) x_out[c] = v;
        out[c] = __float2bfloat16_rn(v);
    }
}

}  // namespace sb_ln

SB_KERNEL void sb_layernorm(const float* x, __nv_bfloat16* out, const float* weight, const float* bias, int has_bias,
                            int rows, int dim, float eps) {
    if (!has_bias) bias = nullptr;
    const int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    if (row >= rows) return;   // whole warps exit together: the shuffles below stay full-warp
    sb_ln::normalise_row(x + (size_t)row * dim, out + (size_t)row * dim, nullptr, weight, bias, dim, eps,
                         threadIdx.x % 32);
}
SB_REGISTER_KERNEL(sb_layernorm);

SB_KERNEL void sb_add_layernorm(float* x, const __nv_bfloat16* y, __nv_bfloat16* out, const float* weight,
                                const float* bias, int has_bias, int rows, int dim, float eps) {
    if (!has_bias) bias = nullptr;
    const int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    if (row >= rows) return;
    const int lane = threadIdx.x % 32;
    float* xr = x + (size_t)row * dim;
    const __nv_bfloat16* yr = y + (size_t)row * dim;
    for (int c = lane; c < dim; c += 32) xr[c] += __bfloat162float(yr[c]);
    sb_ln::normalise_row(xr, out + (size_t)row * dim, nullptr, weight, bias, dim, eps, lane);
}
SB_REGISTER_KERNEL(sb_add_layernorm);

SB_KERNEL void sb_embed_layernorm(const int* ids, const __nv_bfloat16* table, float* x, __nv_bfloat16* out,
                                  const float* weight, const float* bias, int has_bias, int rows, int dim, int vocab,
                                  float eps) {
    if (!has_bias) bias = nullptr;
    const int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    if (row >= rows) return;
    const int lane = threadIdx.x % 32;
    const int id = ids[row];
    float* xr = x + (size_t)row * dim;
    if (id < 0 || id >= vocab) {
        for (int c = lane; c < dim; c += 32) { xr[c] = NAN; out[(size_t)row * dim + c] = __float2bfloat16_rn(NAN); }
        return;
    }
    const __nv_bfloat16* er = table + (size_t)id * dim;
    for (int c = lane; c < dim; c += 32) xr[c] = __bfloat162float(er[c]);   // gather into x, normalised in place
    sb_ln::normalise_row(xr, out + (size_t)row * dim, xr, weight, bias, dim, eps, lane);
}
SB_REGISTER_KERNEL(sb_embed_layernorm);
