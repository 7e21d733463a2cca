// sb_reduce.cuh: warp-wide reductions shared by the row kernels (LayerNorm, pooling, softmax).
#pragma once
#include "sb_portable.cuh"

// Sum of v over the 32 lanes of a warp; every lane gets the result (butterfly: xor 16, 8, 4, 2, 1).
__device__ __forceinline__ float sb_warp_sum(float v) {
    #pragma unroll
    for (int off = 16; off > 0; off /= 2) v += __shfl_xor_sync(0xffffffffu, v, off);
    return v;
}

// Maximum of v over the 32 lanes of a warp; every lane gets the result.
__device__ __forceinline__ float sb_warp_max(float v) {
    #pragma unroll
    for (int off = 16; off > 0; off /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, off));
    return v;
}
