// sb_geglu.cu: the GeGLU activation of ModernBERT's MLP, reading Wi's output directly.
//
// Math: y[r, i] = gelu(u[r, i]) * u[r, inter + i],  gelu(x) = 0.5 x (1 + erf(x / sqrt 2))  (exact erf, not tanh).
// Shapes (row-major):
//   u [rows, 2 * inter]  bf16   Wi's GEMM output: the input half then the gate half of each row
//   y [rows, inter]      bf16   what the Wo GEMM reads
// Dtypes: bf16 in/out because the GEMMs read/write bf16 on both sides; gelu and the product in fp32 (erff),
// rounded once on store.
// Launch (io.streambert.gpu.kernels.GegluLaunch): a 2-D grid-stride loop, rows over grid.y, columns over grid.x x
// block.x. When inter is a multiple of 8 and u, y are 16-byte aligned, each thread takes 8 columns per step with
// 16-byte loads and stores (ModernBERT: inter 1152 = 144 x 8); otherwise one column per step. No 64-bit division:
// the row is the outer loop. Any grid and block cover every element, so the launcher may cap the grid.
#include "sb_portable.cuh"

namespace sb_geglu_impl {

struct __align__(16) Vec16 { uint32_t x, y, z, w; };

__device__ __forceinline__ float lo(uint32_t w) { return __uint_as_float(w << 16); }
__device__ __forceinline__ float hi(uint32_t w) { return __uint_as_float(w & 0xffff0000u); }

__device__ __forceinline__ float geglu(float x, float gate) {
    return 0.5f * x * (1.f + erff(x * 0.70710678118654752f)) * gate;
}

__device__ __forceinline__ uint32_t bits(float v) {
    __nv_bfloat16 b = __float2bfloat16_rn(v);
    return *reinterpret_cast<uint16_t*>(&b);
}

__device__ __forceinline__ uint32_t pair(uint32_t x, uint32_t g) {
    return bits(geglu(lo(x), lo(g))) | (bits(geglu(hi(x), hi(g))) << 16);
}

}  // namespace sb_geglu_impl

SB_KERNEL void sb_geglu(const __nv_bfloat16* u, __nv_bfloat16* y, int rows, int inter) {
    using namespace sb_geglu_impl;
    const bool vec = inter % 8 == 0 && ((uintptr_t)u & 15) == 0 && ((uintptr_t)y & 15) == 0;
    const int first = blockIdx.x * blockDim.x + threadIdx.x, stride = gridDim.x * blockDim.x;
    for (int r = blockIdx.y; r < rows; r += gridDim.y) {
        const __nv_bfloat16* in = u + (size_t)r * 2 * inter;
        __nv_bfloat16* out = y + (size_t)r * inter;
        if (vec) {
            for (int c = first * 8; c < inter; c += stride * 8) {
                const Vec16 x = *reinterpret_cast<const Vec16*>(in + c);
                const Vec16 g = *reinterpret_cast<const Vec16*>(in + inter + c);
                Vec16 o;
                o.x = pair(x.x, g.x);
                o.y = pair(x.y, g.y);
                o.z = pair(x.z, g.z);
                o.w = pair(x.w, g.w);
                *reinterpret_cast<Vec16*>(out + c) = o;
            }
        } else {
            for (int c = first; c < inter; c += stride)
                out[c] = __float2bfloat16_rn(geglu(__bfloat162float(in[c]), __bfloat162float(in[inter + c])));
        }
    }
}
SB_REGISTER_KERNEL(sb_geglu);
