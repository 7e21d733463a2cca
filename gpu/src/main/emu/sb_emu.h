// sb_emu.h: the SIMT emulation of the CUDA subset our kernels use, for building the same .cu sources with g++.
//
// How CUDA maps onto the CPU here (details in docs/GPU.md, "Emulation"):
//   - a launch runs its blocks on a small pool of OS worker threads (one block at a time per worker);
//   - the threads of a block are cooperative fibers on that worker (own 248 KiB stack each) that switch only at
//     __syncthreads and at warp exchanges (__shfl*_sync, __ballot_sync, __syncwarp, mma), so every
//     thread reaches a barrier before any passes it, exactly the guarantee CUDA gives and nothing more;
//   - static __shared__ variables become `static thread_local`: one copy per worker, i.e. per running block;
//   - warp exchanges are resolved by the last lane to arrive, for every lane of the group at once.
// Misuse that would hang or be undefined on a GPU (a barrier not reached by every thread, a warp exchange whose
// mask names an exited lane, lanes meeting at different primitives) ends the launch with an error instead.
#pragma once
#ifdef __CUDACC__
#error "sb_emu.h is the g++ emulation build; nvcc uses the real CUDA headers"
#endif

#include <stdint.h>
#include <string.h>
#include <math.h>
#include <cmath>
#include <algorithm>
#include <cstdio>
#include <type_traits>
#include <utility>

// ---- qualifiers -----------------------------------------------------------------------------------------------
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
// __noinline__ is left out on purpose: libstdc++ spells its own attribute __attribute__((__noinline__)).
#define __launch_bounds__(...)
#define __restrict__ __restrict
#define __align__(n) __attribute__((aligned(n)))
// One copy per worker thread = one copy per running block (a worker runs one block at a time, all its fibers on it).
// Unlike a GPU this memory is not fresh per block: a kernel that reads shared memory it did not write is wrong on
// both, but may only show it on the GPU.
#define __shared__ static thread_local
#define __constant__
#define __managed__

#define SB_KERNEL extern "C"
#define SB_DYNAMIC_SHARED(T, name) T* name = reinterpret_cast<T*>(::sb_emu::dynamic_shared())

// ---- dim3 and vector types ------------------------------------------------------------------------------------
struct uint3 { unsigned x, y, z; };
struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
    constexpr dim3(uint3 u) : x(u.x), y(u.y), z(u.z) {}
    constexpr operator uint3() const { return uint3{x, y, z}; }
};
struct __align__(8) float2 { float x, y; };
struct __align__(16) float4 { float x, y, z, w; };
struct __align__(8) int2 { int x, y; };
struct __align__(16) int4 { int x, y, z, w; };
struct __align__(8) uint2 { unsigned x, y; };
struct __align__(16) uint4 { unsigned x, y, z, w; };
static inline float2 make_float2(float x, float y) { return float2{x, y}; }
static inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }
static inline int2 make_int2(int x, int y) { return int2{x, y}; }
static inline int4 make_int4(int x, int y, int z, int w) { return int4{x, y, z, w}; }
static inline uint2 make_uint2(unsigned x, unsigned y) { return uint2{x, y}; }
static inline uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) { return uint4{x, y, z, w}; }
static inline uint3 make_uint3(unsigned x, unsigned y, unsigned z) { return uint3{x, y, z}; }

constexpr int warpSize = 32;

// ---- the runtime seen by kernels (sb_emu_runtime.cpp) ---------------------------------------------------------
namespace sb_emu {

struct Fiber;  // one emulated CUDA thread
struct BlockCoords { uint3 idx; uint3 dim; uint3 grid; };  // blockIdx, blockDim, gridDim (trivial: no TLS init)

// Every fiber's stack lives in its own kSlotBytes-aligned slot whose first bytes say whose stack it is, so the
// running thread is found from the stack pointer alone: no thread-local lookup on every threadIdx, and the
// compiler may keep the result across fiber switches (a fiber never changes stacks).
constexpr uintptr_t kSlotBytes = 256 * 1024;
struct Slot { Fiber* fiber; const BlockCoords* block; void* worker; };
static inline __attribute__((always_inline)) Slot* slot() {
    uintptr_t sp;
    asm("movq %%rsp, %0" : "=r"(sp));
    return reinterpret_cast<Slot*>(sp & ~(kSlotBytes - 1));
}

struct Fiber {
    void* sp;              // saved stack pointer while switched out
    uint3 tid;             // threadIdx
    unsigned linear;       // x + y*bx + z*bx*by: the CUDA thread rank in the block
    unsigned lane, warp;   // linear % 32, linear / 32
    int state;             // sb_emu_runtime.cpp: RUNNABLE, AT_BARRIER, AT_WARP, DONE
    // A warp exchange: what this lane brought and what it gets back.
    int op;                // which primitive (ops must agree within a group)
    unsigned mask;         // the group named by the caller
    int arg, width;        // source lane / delta / lane mask; segment width
    unsigned long long in; // the lane's value (up to 8 bytes)
    unsigned long long out;
    uint32_t mma_a[4], mma_b[2];
    float mma_c[4], mma_d[4];
};

void* dynamic_shared();
void syncthreads();
// __syncthreads that also counts the threads whose predicate is non-zero (for _count, _and, _or).
int syncthreads_count(int predicate);
// Deposit this lane's part of an exchange, meet the other lanes of `mask`, return with f->out / f->mma_d filled.
void warp_exchange(int op, unsigned mask);
[[noreturn]] void fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

enum Op { OP_SYNCWARP = 1, OP_SHFL_IDX, OP_SHFL_UP, OP_SHFL_DOWN, OP_SHFL_XOR, OP_BALLOT, OP_ALL, OP_ANY, OP_MMA };

// ---- kernel registry: launch by name with cuLaunchKernel-style void** params -----------------------------------
using Thunk = void (*)(void** params);
// signature: one char per parameter, 'p' pointer, 'i' 4-byte integer, 'l' 8-byte integer, 'f' float, 'd' double,
// '?' anything else; lets the Java side check a launch's arguments before the kernel reads garbage.
struct Registrar { Registrar(const char* name, Thunk thunk, const char* signature); };

template <typename T> constexpr char param_code() {
    using D = std::decay_t<T>;
    if (std::is_pointer<D>::value) return 'p';
    if (std::is_same<D, float>::value) return 'f';
    if (std::is_same<D, double>::value) return 'd';
    if (std::is_integral<D>::value && sizeof(D) == 4) return 'i';
    if (std::is_integral<D>::value && sizeof(D) == 8) return 'l';
    return '?';
}
template <typename F> struct KernelTraits;
template <typename... A> struct KernelTraits<void (*)(A...)> {
    static constexpr size_t arity = sizeof...(A);
    template <void (*K)(A...), size_t... I> static void call(void** p, std::index_sequence<I...>) {
        K(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(p[I])...);
    }
    static const char* signature() {
        static const char sig[] = {param_code<A>()..., '\0'};
        return sig;
    }
};
template <auto K> void thunk(void** p) {
    using T = KernelTraits<decltype(K)>;
    T::template call<K>(p, std::make_index_sequence<T::arity>{});
}
template <auto K> const char* signature() { return KernelTraits<decltype(K)>::signature(); }

}  // namespace sb_emu

#define SB_REGISTER_KERNEL(name) \
    static ::sb_emu::Registrar sb_emu_registrar_##name(#name, &::sb_emu::thunk<&name>, ::sb_emu::signature<&name>())

// ---- thread geometry --------------------------------------------------------------------------------------------
#define threadIdx (::sb_emu::slot()->fiber->tid)
#define blockIdx (::sb_emu::slot()->block->idx)
#define blockDim (::sb_emu::slot()->block->dim)
#define gridDim (::sb_emu::slot()->block->grid)

// ---- barriers and fences ----------------------------------------------------------------------------------------
static inline void __syncthreads() { ::sb_emu::syncthreads(); }
static inline int __syncthreads_count(int predicate) { return ::sb_emu::syncthreads_count(predicate); }
static inline int __syncthreads_and(int predicate) {
    return ::sb_emu::syncthreads_count(predicate) == (int)(blockDim.x * blockDim.y * blockDim.z);
}
static inline int __syncthreads_or(int predicate) { return ::sb_emu::syncthreads_count(predicate) != 0; }
// Fences order memory on a GPU; fibers of a worker are sequential and cross-worker traffic uses real atomics.
static inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
static inline void __threadfence_block() {}
static inline void __syncwarp(unsigned mask = 0xffffffffu) {
    ::sb_emu::warp_exchange(::sb_emu::OP_SYNCWARP, mask);
}
static inline unsigned __activemask();  // lanes of this warp that have not exited (runtime)
namespace sb_emu { unsigned active_mask(); }
static inline unsigned __activemask() { return ::sb_emu::active_mask(); }

// ---- warp shuffles, votes -------------------------------------------------------------------------------------
namespace sb_emu {
template <typename T> inline T shfl(int op, unsigned mask, T var, int arg, int width) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "shuffle of a value larger than 8 bytes");
    Fiber* f = slot()->fiber;
    f->in = 0;
    memcpy(&f->in, &var, sizeof(T));
    f->arg = arg;
    f->width = width;
    warp_exchange(op, mask);
    T r;
    memcpy(&r, &f->out, sizeof(T));
    return r;
}
inline unsigned vote(int op, unsigned mask, int predicate) {
    Fiber* f = slot()->fiber;
    f->arg = predicate != 0;
    warp_exchange(op, mask);
    return (unsigned)f->out;
}
}  // namespace sb_emu

template <typename T> inline T __shfl_sync(unsigned mask, T var, int srcLane, int width = warpSize) {
    return ::sb_emu::shfl(::sb_emu::OP_SHFL_IDX, mask, var, srcLane, width);
}
template <typename T> inline T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = warpSize) {
    return ::sb_emu::shfl(::sb_emu::OP_SHFL_UP, mask, var, (int)delta, width);
}
template <typename T> inline T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = warpSize) {
    return ::sb_emu::shfl(::sb_emu::OP_SHFL_DOWN, mask, var, (int)delta, width);
}
template <typename T> inline T __shfl_xor_sync(unsigned mask, T var, int laneMask, int width = warpSize) {
    return ::sb_emu::shfl(::sb_emu::OP_SHFL_XOR, mask, var, laneMask, width);
}
static inline unsigned __ballot_sync(unsigned mask, int predicate) {
    return ::sb_emu::vote(::sb_emu::OP_BALLOT, mask, predicate);
}
static inline int __all_sync(unsigned mask, int predicate) { return (int)::sb_emu::vote(::sb_emu::OP_ALL, mask, predicate); }
static inline int __any_sync(unsigned mask, int predicate) { return (int)::sb_emu::vote(::sb_emu::OP_ANY, mask, predicate); }

// ---- atomics (real ones: blocks run concurrently on several workers) ----------------------------------------------
static inline int atomicAdd(int* p, int v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
static inline unsigned atomicAdd(unsigned* p, unsigned v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
static inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) {
    return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}
static inline float atomicAdd(float* p, float v) {
    float old, want;
    __atomic_load(p, &old, __ATOMIC_RELAXED);
    do { want = old + v; } while (!__atomic_compare_exchange(p, &old, &want, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    return old;
}
static inline int atomicSub(int* p, int v) { return __atomic_fetch_sub(p, v, __ATOMIC_RELAXED); }
static inline unsigned atomicSub(unsigned* p, unsigned v) { return __atomic_fetch_sub(p, v, __ATOMIC_RELAXED); }
template <typename T> static inline T sb_emu_atomic_minmax(T* p, T v, bool max) {
    T old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while ((max ? v > old : v < old) &&
           !__atomic_compare_exchange_n(p, &old, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
    return old;
}
static inline int atomicMax(int* p, int v) { return sb_emu_atomic_minmax(p, v, true); }
static inline unsigned atomicMax(unsigned* p, unsigned v) { return sb_emu_atomic_minmax(p, v, true); }
static inline long long atomicMax(long long* p, long long v) { return sb_emu_atomic_minmax(p, v, true); }
static inline unsigned long long atomicMax(unsigned long long* p, unsigned long long v) { return sb_emu_atomic_minmax(p, v, true); }
static inline int atomicMin(int* p, int v) { return sb_emu_atomic_minmax(p, v, false); }
static inline unsigned atomicMin(unsigned* p, unsigned v) { return sb_emu_atomic_minmax(p, v, false); }
static inline long long atomicMin(long long* p, long long v) { return sb_emu_atomic_minmax(p, v, false); }
static inline unsigned long long atomicMin(unsigned long long* p, unsigned long long v) { return sb_emu_atomic_minmax(p, v, false); }
static inline int atomicExch(int* p, int v) { return __atomic_exchange_n(p, v, __ATOMIC_RELAXED); }
static inline unsigned atomicExch(unsigned* p, unsigned v) { return __atomic_exchange_n(p, v, __ATOMIC_RELAXED); }
static inline float atomicExch(float* p, float v) { float r; __atomic_exchange(p, &v, &r, __ATOMIC_RELAXED); return r; }
static inline int atomicCAS(int* p, int cmp, int v) {
    __atomic_compare_exchange_n(p, &cmp, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return cmp;
}
static inline unsigned atomicCAS(unsigned* p, unsigned cmp, unsigned v) {
    __atomic_compare_exchange_n(p, &cmp, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return cmp;
}
static inline unsigned long long atomicCAS(unsigned long long* p, unsigned long long cmp, unsigned long long v) {
    __atomic_compare_exchange_n(p, &cmp, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return cmp;
}

#include "sb_emu_types.h"
#include "sb_emu_math.h"

// ---- tensor cores ---------------------------------------------------------------------------------------------
// D = A * B + C for one warp, as mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32. Every lane brings its
// fragments laid out as in PTX ISA section 9.7.14.5.8 "Matrix Fragments for mma.m16n8k16 with floating point type"
// (see sb_emu_runtime.cpp, resolve_mma); the last lane to arrive assembles A (16x16), B (16x8) and C (16x8),
// computes D in fp32 and hands each lane its four D elements.
static inline void sb_mma_m16n8k16_bf16(float (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2],
                                        const float (&c)[4]) {
    ::sb_emu::Fiber* f = ::sb_emu::slot()->fiber;
    for (int i = 0; i < 4; i++) { f->mma_a[i] = a[i]; f->mma_c[i] = c[i]; }
    f->mma_b[0] = b[0];
    f->mma_b[1] = b[1];
    ::sb_emu::warp_exchange(::sb_emu::OP_MMA, 0xffffffffu);
    for (int i = 0; i < 4; i++) d[i] = f->mma_d[i];
}
