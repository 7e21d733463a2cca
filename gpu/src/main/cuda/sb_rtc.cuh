// sb_rtc.cuh: what the kernels need from the CUDA headers, for NVRTC, which has no host headers (no <stdint.h>,
// <math.h>) and no cuda_bf16.h unless one ships the toolkit's include folder. Included by sb_portable.cuh when NVRTC
// compiles (__CUDACC_RTC__, set by NVRTC itself) or when the build checks this path with nvcc (-DSB_NVRTC, see
// src/build/native-build.sh, "NVRTC rules"). Everything here is device code only, needs sm_80 or later (cvt to bf16),
// and includes nothing.
#pragma once

// The fixed-width integers of <stdint.h>, spelled as on LP64 Linux (the same types, so a duplicate typedef from the
// host headers nvcc pulls in during the build's check is legal C++).
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long uint64_t;
typedef unsigned long uintptr_t;
typedef signed char int8_t;
typedef short int16_t;
typedef int int32_t;
typedef long int64_t;
typedef decltype(sizeof(0)) size_t;

#ifndef INFINITY
#define INFINITY __int_as_float(0x7f800000)
#endif
#ifndef NAN
#define NAN __int_as_float(0x7fffffff)
#endif

// bf16 as storage: the two bytes of the top half of an fp32. The kernels only convert (no bf16 arithmetic).
struct __align__(2) __nv_bfloat16 {
    unsigned short x_;
};

__device__ __forceinline__ __nv_bfloat16 __float2bfloat16_rn(float f) {
    __nv_bfloat16 r;
    asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(r.x_) : "f"(f));   // round to nearest even, NaN kept (PTX ISA, cvt)
    return r;
}

__device__ __forceinline__ float __bfloat162float(__nv_bfloat16 b) {
    return __uint_as_float((unsigned int)b.x_ << 16);
}
