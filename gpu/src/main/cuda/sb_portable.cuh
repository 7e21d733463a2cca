// sb_portable.cuh: the one header every kernel file includes. It lets the same .cu source build two ways:
//   - with nvcc (__CUDACC__): real CUDA, the fatbin loaded by CudaDevice through JCuda;
//   - with g++ (the SIMT emulation build): ../emu/sb_emu.h supplies dim3, threadIdx..., __syncthreads, the warp
//     primitives, atomics, bf16 types and math intrinsics, with the threads of a block run as cooperative fibers.
// Kernels use plain CUDA plus the few SB_* names below, which differ between the two builds.
// A third way: NVRTC (CudaDevice compiles the bundled sources at run time when the driver refuses the fatbins).
// NVRTC has no host headers, so under __CUDACC_RTC__ (or SB_NVRTC, the build's nvcc check of this path) sb_rtc.cuh
// stands in for <stdint.h> and cuda_bf16.h. Rules for every file here (checked by the build): include only
// sb_portable.cuh and other files of this folder, by quoted name; no host headers.
#pragma once

#if defined(__CUDACC_RTC__) || defined(SB_NVRTC)
#include "sb_rtc.cuh"
#elif defined(__CUDACC__)
#include <stdint.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#else
#include <stdint.h>
#endif

#ifdef __CUDACC__

// Kernels are looked up by name (cuModuleGetFunction / the emulator's registry): no C++ mangling.
#define SB_KERNEL extern "C" __global__
// Dynamic (launch-time sized) shared memory of element type T.
#define SB_DYNAMIC_SHARED(T, name) extern __shared__ __align__(16) unsigned char sb_dyn_smem_raw_[]; T* name = reinterpret_cast<T*>(sb_dyn_smem_raw_)
// Registers a kernel with the emulator's launch-by-name table; nothing to do on a GPU.
#define SB_REGISTER_KERNEL(name)

// D = A * B + C for one warp: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32.
// Fragment layouts are the PTX ISA's (section "Matrix Fragments for mma.m16n8k16" with .bf16):
//   a[4]: 8 bf16 of the 16x16 row-major A tile, b[2]: 4 bf16 of the 16x8 column-major B tile,
//   c[4], d[4]: 4 fp32 of the 16x8 accumulator; which (row, col) each lane holds is given there.
__device__ __forceinline__ void sb_mma_m16n8k16_bf16(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2],
                                                      const float (&c)[4]) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
        "{%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};\n"
        : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]),
          "f"(c[0]), "f"(c[1]), "f"(c[2]), "f"(c[3]));
}
#else
// The emulation build: sb_emu.h defines SB_KERNEL, SB_DYNAMIC_SHARED, SB_REGISTER_KERNEL and
// sb_mma_m16n8k16_bf16 (from the same PTX ISA fragment layouts, exchanged between the 32 fibers of a warp).
#include "../emu/sb_emu.h"
#endif
