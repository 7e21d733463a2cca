// sb_geglu.cu: the GeGLU activation of ModernBERT's MLP, reading Wi's output directly.
//
// Math: y[r, i] = gelu(u[r, i]) * u[r, inter + i],  gelu(x) = 0.5 x (1 + erf(x / sqrt 2))  (exact erf, not tanh).
// Shapes (row-major):
//   u [rows, 2 * inter]  bf16   Wi's GEMM output: the input half then the gate half of each row
//   y [rows, inter]      bf16   what the Wo GEMM reads
// Dtypes: bf16 in/out because cuBLAS reads/writes bf16 on both sides; gelu and the product in fp32 (erff),
// rounded once on store.
// Launch (io.streambert.gpu.kernels.GegluLaunch): 1-D grid-stride loop over rows * inter elements; any block size
// and grid size cover the whole range, so the launcher may cap the grid.
#include "sb_portable.cuh"

SB_KERNEL void sb_geglu(const __nv_bfloat16* u, __nv_bfloat16* y, int rows, int inter) {
    const long long total = (long long)rows * inter;
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += stride) {
        const long long r = e / inter, i = e % inter;
        const float x = __bfloat162float(u[r * 2 * inter + i]);
        const float gate = __bfloat162float(u[r * 2 * inter + inter + i]);
        const float gelu = 0.5f * x * (1.f + erff(x * 0.70710678118654752f));
        y[e] = __float2bfloat16_rn(gelu * gate);
    }
}
SB_REGISTER_KERNEL(sb_geglu);
