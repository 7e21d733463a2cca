// sb_pooling.cu: per-sequence pooling of the final hidden states, L2 normalisation, and the elementwise parts of
// ModernBERT's classification head (pool -> dense -> gelu -> LayerNorm -> classifier -> softmax/sigmoid).
//
// Kernels, math and shapes (row-major):
//   sb_pool(hidden [tokens, dim] bf16, pooled [batch, dim] fp32, cu_seqlens [batch+1] int32, dim, mode)
//       mode 0 (mean): pooled[s, c] = sum over the tokens t of sequence s of hidden[t, c] / len(s)
//       mode 1 (cls):  pooled[s, c] = hidden[cu_seqlens[s], c]   (the first token)
//       grid (ceil(dim / blockDim.x), batch), block (columns, token lanes): each column's tokens are split over
//       blockDim.y lanes (a long sequence is not summed by one thread), partial fp32 sums combined in shared memory.
//   sb_l2_normalize(x [rows, dim] fp32 in place, rows, dim, eps): x /= max(||x||_2, eps); one warp per row.
//   sb_bias_gelu(x [rows, n] fp32 in place, bias [n] fp32, has_bias, rows, n): x = gelu_erf(x + bias); grid-stride.
//   sb_softmax_rows(x [rows, n] fp32 in place, bias [n], has_bias, rows, n): x = softmax(x + bias) per row; warp per row.
//   sb_sigmoid(x [rows, n] fp32 in place, bias [n], has_bias, rows, n): x = 1 / (1 + exp(-(x + bias))); grid-stride.
// Optional bias: Device.launch has no null pointer, so has_bias != 0 says whether bias is read.
// Dtypes: hidden is the final LayerNorm's bf16 output; everything after pooling is [batch, *] and tiny, so it stays
// fp32 (the head GEMMs on it are fp32 too; no reason to round there).
// Launch shapes: io.streambert.gpu.kernels.PoolingLaunch.
#include "sb_reduce.cuh"

// Most threads a pooling block may have (blockDim.x * blockDim.y); PoolingLaunch.SB_POOL_MAX_THREADS mirrors it
// (TileConstantsTest checks they agree).
#define SB_POOL_MAX_THREADS 1024

SB_KERNEL void sb_pool(const __nv_bfloat16* hidden, float* pooled, const int* cu_seqlens, int dim, int mode) {
    // blockDim.x columns x blockDim.y token lanes: lane y sums tokens start + y, start + y + blockDim.y, ...; the
    // blockDim.y partial sums of a column are then added in a fixed order (deterministic, no atomics).
    __shared__ float partial[SB_POOL_MAX_THREADS];
    const int s = blockIdx.y;
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    const int start = cu_seqlens[s], end = cu_seqlens[s + 1];
    float sum = 0.f;
    if (c < dim) {
        if (mode == 1) {
            if (threadIdx.y == 0 && end > start) sum = __bfloat162float(hidden[(size_t)start * dim + c]);
        } else {
            for (int t = start + threadIdx.y; t < end; t += blockDim.y) sum += __bfloat162float(hidden[(size_t)t * dim + c]);
        }
    }
    partial[threadIdx.y * blockDim.x + threadIdx.x] = sum;
    __syncthreads();
    if (threadIdx.y != 0 || c >= dim) return;
    float v = 0.f;
    for (int y = 0; y < (int)blockDim.y; y++) v += partial[y * blockDim.x + threadIdx.x];
    if (mode != 1) v = end > start ? v / (float)(end - start) : 0.f;
    pooled[(size_t)s * dim + c] = v;
}
SB_REGISTER_KERNEL(sb_pool);

SB_KERNEL void sb_l2_normalize(float* x, int rows, int dim, float eps) {
    const int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    if (row >= rows) return;
    const int lane = threadIdx.x % 32;
    float* xr = x + (size_t)row * dim;
    float sq = 0.f;
    for (int c = lane; c < dim; c += 32) sq += xr[c] * xr[c];
    const float inv = 1.f / fmaxf(sqrtf(sb_warp_sum(sq)), eps);
    for (int c = lane; c < dim; c += 32) xr[c] *= inv;
}
SB_REGISTER_KERNEL(sb_l2_normalize);

SB_KERNEL void sb_bias_gelu(float* x, const float* bias, int has_bias, int rows, int n) {
    if (!has_bias) bias = nullptr;
    const long long total = (long long)rows * n, stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += stride) {
        const float v = x[e] + (bias != nullptr ? bias[e % n] : 0.f);
        x[e] = 0.5f * v * (1.f + erff(v * 0.70710678118654752f));
    }
}
SB_REGISTER_KERNEL(sb_bias_gelu);

SB_KERNEL void sb_softmax_rows(float* x, const float* bias, int has_bias, int rows, int n) {
    if (!has_bias) bias = nullptr;
    const int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    if (row >= rows) return;
    const int lane = threadIdx.x % 32;
    float* xr = x + (size_t)row * n;
    float mx = -INFINITY;
    for (int c = lane; c < n; c += 32) {
        const float v = xr[c] + (bias != nullptr ? bias[c] : 0.f);
        xr[c] = v;
        mx = fmaxf(mx, v);
    }
    mx = sb_warp_max(mx);
    float sum = 0.f;
    for (int c = lane; c < n; c += 32) { const float e = expf(xr[c] - mx); xr[c] = e; sum += e; }
    const float inv = 1.f / sb_warp_sum(sum);
    for (int c = lane; c < n; c += 32) xr[c] *= inv;
}
SB_REGISTER_KERNEL(sb_softmax_rows);

SB_KERNEL void sb_sigmoid(float* x, const float* bias, int has_bias, int rows, int n) {
    if (!has_bias) bias = nullptr;
    const long long total = (long long)rows * n, stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += stride) {
        const float v = x[e] + (bias != nullptr ? bias[e % n] : 0.f);
        x[e] = 1.f / (1.f + expf(-v));
    }
}
SB_REGISTER_KERNEL(sb_sigmoid);
