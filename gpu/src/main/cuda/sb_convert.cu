// sb_convert.cu: bf16 <-> fp32 conversion of flat arrays.
//
// Math:   sb_f32_to_bf16:  out[i] = bf16(in[i]), rounded to nearest even (NaN stays NaN), for 0 <= i < n.
//         sb_bf16_to_f32:  out[i] = float(in[i]), exact (bf16 is the top half of a float).
// Shapes: in and out are contiguous arrays of n elements; n >= 0. Any 1-D launch covers them: the kernels use a
//         grid-stride loop, so e.g. block 256 and grid min(ceil(n / 256), 4096) is fine.
// Java reference: the plain-loop references (test scope) use the same rounding (Bf16 in io.streambert.engine.model).
#include "sb_portable.cuh"

SB_KERNEL void sb_f32_to_bf16(const float* __restrict__ in, __nv_bfloat16* __restrict__ out, int n) {
    const int stride = gridDim.x * blockDim.x;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) out[i] = __float2bfloat16_rn(in[i]);
}
SB_REGISTER_KERNEL(sb_f32_to_bf16);

SB_KERNEL void sb_bf16_to_f32(const __nv_bfloat16* __restrict__ in, float* __restrict__ out, int n) {
    const int stride = gridDim.x * blockDim.x;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) out[i] = __bfloat162float(in[i]);
}
SB_REGISTER_KERNEL(sb_bf16_to_f32);
