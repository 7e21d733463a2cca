// sb_emu_selftest.cu: kernels that exercise the SIMT emulator itself (barriers, shuffles, votes, atomics, shared
// memory isolation, deadlock detection, the mma wrapper, launch geometry). Compiled with g++ only, into the test
// library libstreambert_emu_test.so; EmulatorSelfTest (Java) launches them and computes every expected value
// itself from CUDA's documented semantics.
#include "sb_portable.cuh"

#include <time.h>

extern "C" int sb_emu_worker_index();

// Each phase p: every thread writes its slot, __syncthreads, then reads the slot of a thread in another warp.
// Without a working barrier the first fibers would read slots not yet written for this phase.
// out[p * n + t] = value thread t read in phase p, n = threads per block (one block).
SB_KERNEL void emu_barrier_phases(int* out, int phases) {
    __shared__ int slots[1024];
    const int n = blockDim.x * blockDim.y * blockDim.z;
    const int t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    for (int p = 0; p < phases; p++) {
        slots[t] = t * 1000 + p;
        __syncthreads();
        out[p * n + t] = slots[(t + 37 * (p + 1)) % n];
        __syncthreads();  // nobody overwrites a slot before everyone has read this phase
    }
}
SB_REGISTER_KERNEL(emu_barrier_phases);

// mode 0 idx, 1 up, 2 down, 3 xor; out[t] = the shuffled value of in[] seen by thread t (one block, 1-D).
SB_KERNEL void emu_shuffle_int(const int* in, int* out, int mode, int arg, int width) {
    const int t = threadIdx.x;
    const int v = in[t];
    int r = 0;
    switch (mode) {
        case 0: r = __shfl_sync(0xffffffffu, v, arg, width); break;
        case 1: r = __shfl_up_sync(0xffffffffu, v, (unsigned)arg, width); break;
        case 2: r = __shfl_down_sync(0xffffffffu, v, (unsigned)arg, width); break;
        case 3: r = __shfl_xor_sync(0xffffffffu, v, arg, width); break;
    }
    out[t] = r;
}
SB_REGISTER_KERNEL(emu_shuffle_int);

// Butterfly sum of floats over each warp, the reduction kernels use; out[t] = the warp's sum as seen by lane t.
SB_KERNEL void emu_warp_sum_float(const float* in, float* out) {
    float v = in[threadIdx.x];
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    out[threadIdx.x] = v;
}
SB_REGISTER_KERNEL(emu_warp_sum_float);

// Lanes in `mask` vote on pred[t]; out[3t..3t+2] = ballot, all, any (lanes outside the mask write 0xdeadbeef).
SB_KERNEL void emu_votes(const int* pred, unsigned* out, unsigned mask) {
    const int t = threadIdx.x;
    const unsigned lane = t % 32;
    if (mask & (1u << lane)) {
        out[3 * t] = __ballot_sync(mask, pred[t]);
        out[3 * t + 1] = (unsigned)__all_sync(mask, pred[t]);
        out[3 * t + 2] = (unsigned)__any_sync(mask, pred[t]);
    } else {
        out[3 * t] = out[3 * t + 1] = out[3 * t + 2] = 0xdeadbeefu;
    }
}
SB_REGISTER_KERNEL(emu_votes);

// Every thread of every block: counter += 1, fsum += 1.0f, imax = max(imax, global thread rank),
// imin = min(imin, -rank); thread 0 of each block records which worker ran it.
SB_KERNEL void emu_atomics(int* counter, float* fsum, int* imax, int* imin, int* worker_of_block) {
    const int rank = blockIdx.x * blockDim.x + threadIdx.x;
    atomicAdd(counter, 1);
    atomicAdd(fsum, 1.0f);
    atomicMax(imax, rank);
    atomicMin(imin, -rank);
    if (threadIdx.x == 0) worker_of_block[blockIdx.x] = sb_emu_worker_index();
}
SB_REGISTER_KERNEL(emu_atomics);

// Waits (bounded, 20 s) until `count` has reached `target`: the blocks of the grid prove they run at the same time.
static __device__ int rendezvous(int* count, int target) {
    atomicAdd(count, 1);
    timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        if (__atomic_load_n(count, __ATOMIC_SEQ_CST) >= target) return 1;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 20) return 0;
    }
}

// Blocks fill static and dynamic shared memory with their own pattern, meet (so all blocks are alive at once),
// and check their patterns survived. out[b * n + t] = 1 if thread t of block b saw only its block's values,
// 2 if the rendezvous timed out (blocks did not run concurrently), 0 if it saw another block's values.
SB_KERNEL void emu_shared_isolation(int* out, int* arrive) {
    __shared__ int stat[256];
    SB_DYNAMIC_SHARED(int, dyn);
    __shared__ int met;
    const int n = blockDim.x, t = threadIdx.x, b = blockIdx.x;
    stat[t] = b * 1000 + t;
    dyn[t] = b * 7777 + t;
    __syncthreads();
    if (t == 0) met = rendezvous(&arrive[0], gridDim.x);
    __syncthreads();
    const int u = (t + 1) % n;
    int ok = stat[u] == b * 1000 + u && dyn[u] == b * 7777 + u;
    __syncthreads();
    if (t == 0) met = met && rendezvous(&arrive[1], gridDim.x);  // nobody leaves before everyone checked
    __syncthreads();
    out[b * n + t] = met ? ok : 2;
}
SB_REGISTER_KERNEL(emu_shared_isolation);

// Threads of the first warp wait at a barrier the others never reach (they return): must be reported.
SB_KERNEL void emu_deadlock_barrier(int* out) {
    if (threadIdx.x >= 32) return;
    __syncthreads();
    out[threadIdx.x] = 1;
}
SB_REGISTER_KERNEL(emu_deadlock_barrier);

// Lanes 0..15 exit while lanes 16..31 shuffle with a full mask: undefined on a GPU, reported here.
SB_KERNEL void emu_deadlock_warp(int* out) {
    if (threadIdx.x < 16) return;
    out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, (int)threadIdx.x, 1);
}
SB_REGISTER_KERNEL(emu_deadlock_warp);

// Half the warp at a shuffle, the other half at a ballot, both with the full mask: reported as a mismatch.
SB_KERNEL void emu_mismatched_warp_ops(int* out) {
    if (threadIdx.x < 16) out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, 1, 1);
    else out[threadIdx.x] = (int)__ballot_sync(0xffffffffu, 1);
}
SB_REGISTER_KERNEL(emu_mismatched_warp_ops);

// One m16n8k16 tile per warp: tile w = blockIdx.x * warps_per_block + warp reads A_w (16x16 row-major bf16),
// B_w (16x8, stored k-major: B[k * 8 + n]), C_w (16x8 fp32) and writes D_w = A_w B_w + C_w. Fragments are loaded
// and stored with the PTX ISA layouts (section "Matrix Fragments for mma.m16n8k16 with floating point type"),
// written out independently of the emulator's resolver.
SB_KERNEL void emu_mma_tiles(const unsigned short* A, const unsigned short* B, const float* C, float* D) {
    const int warps_per_block = blockDim.x / 32;
    const int w = blockIdx.x * warps_per_block + threadIdx.x / 32;
    const int lane = threadIdx.x % 32, g = lane >> 2, t = lane & 3;
    const unsigned short* a = A + w * 256;
    const unsigned short* b = B + w * 128;
    const float* c = C + w * 128;
    float* d = D + w * 128;
    uint32_t af[4], bf[2];
    float cf[4], df[4];
    // a0,a1: (g, 2t..2t+1)  a2,a3: (g+8, 2t..)  a4,a5: (g, 2t+8..)  a6,a7: (g+8, 2t+8..)
    af[0] = a[g * 16 + 2 * t] | (uint32_t)a[g * 16 + 2 * t + 1] << 16;
    af[1] = a[(g + 8) * 16 + 2 * t] | (uint32_t)a[(g + 8) * 16 + 2 * t + 1] << 16;
    af[2] = a[g * 16 + 2 * t + 8] | (uint32_t)a[g * 16 + 2 * t + 9] << 16;
    af[3] = a[(g + 8) * 16 + 2 * t + 8] | (uint32_t)a[(g + 8) * 16 + 2 * t + 9] << 16;
    // b0,b1: (k = 2t..2t+1, n = g)  b2,b3: (k = 2t+8.., n = g)
    bf[0] = b[(2 * t) * 8 + g] | (uint32_t)b[(2 * t + 1) * 8 + g] << 16;
    bf[1] = b[(2 * t + 8) * 8 + g] | (uint32_t)b[(2 * t + 9) * 8 + g] << 16;
    // c0,c1: (g, 2t..2t+1)  c2,c3: (g+8, 2t..2t+1)
    cf[0] = c[g * 8 + 2 * t];
    cf[1] = c[g * 8 + 2 * t + 1];
    cf[2] = c[(g + 8) * 8 + 2 * t];
    cf[3] = c[(g + 8) * 8 + 2 * t + 1];
    sb_mma_m16n8k16_bf16(df, af, bf, cf);
    d[g * 8 + 2 * t] = df[0];
    d[g * 8 + 2 * t + 1] = df[1];
    d[(g + 8) * 8 + 2 * t] = df[2];
    d[(g + 8) * 8 + 2 * t + 1] = df[3];
}
SB_REGISTER_KERNEL(emu_mma_tiles);

// Every thread writes what it sees: out[12 * r .. 12 * r + 11] = threadIdx xyz, blockIdx xyz, blockDim xyz,
// gridDim xyz, at r = its rank in the whole launch (block rank * threads per block + thread rank).
SB_KERNEL void emu_geometry(int* out) {
    const long long threads = (long long)blockDim.x * blockDim.y * blockDim.z;
    const long long block = blockIdx.x + (long long)gridDim.x * (blockIdx.y + (long long)gridDim.y * blockIdx.z);
    const long long thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    int* o = out + 12 * (block * threads + thread);
    o[0] = threadIdx.x; o[1] = threadIdx.y; o[2] = threadIdx.z;
    o[3] = blockIdx.x; o[4] = blockIdx.y; o[5] = blockIdx.z;
    o[6] = blockDim.x; o[7] = blockDim.y; o[8] = blockDim.z;
    o[9] = gridDim.x; o[10] = gridDim.y; o[11] = gridDim.z;
}
SB_REGISTER_KERNEL(emu_geometry);

// Dynamic shared memory a block did not write reads as NaN (all-ones bytes): out[t] = bits of dyn[t] on entry.
SB_KERNEL void emu_dynamic_shared_poison(unsigned* out) {
    SB_DYNAMIC_SHARED(unsigned, dyn);
    out[blockIdx.x * blockDim.x + threadIdx.x] = dyn[threadIdx.x];
    dyn[threadIdx.x] = 0;  // the next block on this worker must not see this
}
SB_REGISTER_KERNEL(emu_dynamic_shared_poison);

// out[0..2] (written by thread 0) = __syncthreads_count / _and / _or of pred[t], then the same of !pred[t], so two
// barriers in a row with different counts show each thread gets its own barrier's result.
SB_KERNEL void emu_syncthreads_count(const int* pred, int* out) {
    const int t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    const int c = __syncthreads_count(pred[t]);
    const int a = __syncthreads_and(pred[t]);
    const int o = __syncthreads_or(pred[t]);
    const int c2 = __syncthreads_count(!pred[t]);
    // every thread reports, so a thread that read a later barrier's result would show
    out[4 * t] = c;
    out[4 * t + 1] = a;
    out[4 * t + 2] = o;
    out[4 * t + 3] = c2;
}
SB_REGISTER_KERNEL(emu_syncthreads_count);

// The emulator's narrow float types: bits of __float2bfloat16 / __float2half (round to nearest even) of in[i],
// and those values widened back (__bfloat162float / __half2float). Also the paired forms, on even i.
SB_KERNEL void emu_conversions(const float* in, unsigned short* bf, unsigned short* hf, float* bf_back,
                               float* hf_back, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const __nv_bfloat16 b = __float2bfloat16(in[i]);
    const __half h = __float2half(in[i]);
    bf[i] = __bfloat16_as_ushort(b);
    hf[i] = __half_as_ushort(h);
    bf_back[i] = __bfloat162float(b);
    hf_back[i] = __half2float(h);
    if (i % 2 == 0 && i + 1 < n) {  // the pair forms must agree with the scalar ones, low half = first value
        const __nv_bfloat162 p = __floats2bfloat162_rn(in[i], in[i + 1]);
        if (__bfloat16_as_ushort(p.x) != bf[i] || __float_as_uint(__low2float(p)) != __float_as_uint(__bfloat162float(b)))
            bf[i] = 0xdead;
        const __half2 q = __floats2half2_rn(in[i], in[i + 1]);
        if (__half_as_ushort(q.x) != hf[i] || __float_as_uint(__low2float(q)) != __float_as_uint(__half2float(h)))
            hf[i] = 0xdead;
    }
}
SB_REGISTER_KERNEL(emu_conversions);
