// sb_rope.cu: rotary position embedding (rotate-half), in place on q and k of the packed QKV.
//
// Math, for every token t of sequence s at local position p = t - cu_seqlens[s] (positions restart at 0 in
// every sequence), for q and k (not v), every head h and i < HD/2, with x1 = x[i], x2 = x[i + HD/2]:
//   x[i]        = x1 * cos[p, i] - x2 * sin[p, i]
//   x[i + HD/2] = x2 * cos[p, i] + x1 * sin[p, i]
// where cos/sin[p, i] = cos/sin(p * theta^(-2i/HD)). theta is the layer type's (ModernBERT: 160000 global,
// 10000 local): the caller passes that layer type's precomputed table, the kernel knows no theta.
//
// Shapes (row-major):
//   qkv        [tokens, 3, heads, HD]  bf16   rotated in place (parts 0 = q and 1 = k)
//   cu_seqlens [batch + 1]             int32
//   cos, sin   [max_pos, HD/2]         fp32   (the table is small and read many times: fp32 keeps it exact)
// Dtypes: the rotation is computed in fp32 from the bf16 inputs and rounded once to bf16 on store.
//
// The encoder no longer launches this kernel: sb_attention_hd* applies the same rotation while it loads q and k
// (bit for bit the same on the emulator, AttentionRopeKernelTest). It stays as the standalone form of the
// rotation that test compares against, and for any caller that needs rotated q/k in memory.
//
// Launch (io.streambert.gpu.kernels.RopeLaunch): grid.x = ceil(tokens / tokens_per_block), block = any multiple
// of 32; each block handles tokens_per_block consecutive tokens, its threads stride over (part, head, i).
// Each thread finds its token's sequence by binary search in cu_seqlens (batch is small).
// Accesses: when HD/2 is a multiple of 8 and qkv, cos and sin are 16-byte aligned (HD 32, 64, 128 from fresh
// allocations), a thread takes 8 consecutive i per step: 16-byte loads and stores of x[i..i+7] and
// x[i+HD/2..+7] and two 16-byte loads each of cos and sin; otherwise one i per step. All index arithmetic is
// 32-bit (idx / and % by the per-token count); 64-bit values are only formed by multiplication for addresses.
// Precondition (checked by the Java launcher): every sequence length <= max_pos.
#include "sb_portable.cuh"

namespace sb_rope_detail {

struct __align__(16) Vec16 { uint32_t x, y, z, w; };   // 8 bf16
struct __align__(16) F4 { float x, y, z, w; };

__device__ __forceinline__ float lo_f(uint32_t w) { return __uint_as_float(w << 16); }
__device__ __forceinline__ float hi_f(uint32_t w) { return __uint_as_float(w & 0xffff0000u); }
__device__ __forceinline__ uint32_t pack(float lo, float hi) {
    __nv_bfloat16 l = __float2bfloat16_rn(lo), h = __float2bfloat16_rn(hi);
    return (uint32_t)(*reinterpret_cast<uint16_t*>(&l)) | ((uint32_t)(*reinterpret_cast<uint16_t*>(&h)) << 16);
}

}  // namespace sb_rope_detail

SB_KERNEL void sb_rope(__nv_bfloat16* qkv, const int* cu_seqlens, int batch, int tokens, int heads, int head_dim,
                       const float* cos_table, const float* sin_table, int tokens_per_block) {
    using namespace sb_rope_detail;
    const int half = head_dim / 2;
    const bool vec = half % 8 == 0 && ((uintptr_t)qkv & 15) == 0 && ((uintptr_t)cos_table & 15) == 0 &&
                     ((uintptr_t)sin_table & 15) == 0;
    const int step = vec ? 8 : 1;                     // i per thread-step
    const int per_head = half / step;
    const int work = 2 * heads * per_head;            // (part in {q, k}) x heads x steps per token
    const int t_first = blockIdx.x * tokens_per_block;
    const int t_end = min(tokens, t_first + tokens_per_block);
    for (int tok = t_first; tok < t_end; tok++) {
        // Largest s with cu_seqlens[s] <= tok.
        int lo = 0, hi = batch - 1;
        while (lo < hi) {
            const int mid = (lo + hi + 1) / 2;
            if (cu_seqlens[mid] <= tok) lo = mid; else hi = mid - 1;
        }
        const int pos = tok - cu_seqlens[lo];
        __nv_bfloat16* row = qkv + (size_t)tok * 3 * heads * head_dim;   // [3, heads, HD] of this token
        const float* crow = cos_table + (size_t)pos * half;
        const float* srow = sin_table + (size_t)pos * half;
        for (int idx = threadIdx.x; idx < work; idx += blockDim.x) {
            const int ph = idx / per_head;               // part * heads + head, part 0 (q) or 1 (k); 32-bit
            const int i = (idx - ph * per_head) * step;
            __nv_bfloat16* x = row + (size_t)ph * head_dim;
            if (vec) {
                Vec16* p1 = reinterpret_cast<Vec16*>(x + i);
                Vec16* p2 = reinterpret_cast<Vec16*>(x + i + half);
                const Vec16 a = *p1, b = *p2;
                const F4 c0 = reinterpret_cast<const F4*>(crow + i)[0], c1 = reinterpret_cast<const F4*>(crow + i)[1];
                const F4 s0 = reinterpret_cast<const F4*>(srow + i)[0], s1 = reinterpret_cast<const F4*>(srow + i)[1];
                const uint32_t aw[4] = {a.x, a.y, a.z, a.w}, bw[4] = {b.x, b.y, b.z, b.w};
                const float cs[8] = {c0.x, c0.y, c0.z, c0.w, c1.x, c1.y, c1.z, c1.w};
                const float sn[8] = {s0.x, s0.y, s0.z, s0.w, s1.x, s1.y, s1.z, s1.w};
                uint32_t r1[4], r2[4];
                #pragma unroll
                for (int e = 0; e < 4; e++) {
                    const float x1a = lo_f(aw[e]), x1b = hi_f(aw[e]), x2a = lo_f(bw[e]), x2b = hi_f(bw[e]);
                    const float ca = cs[2 * e], cb = cs[2 * e + 1], sa = sn[2 * e], sb = sn[2 * e + 1];
                    r1[e] = pack(x1a * ca - x2a * sa, x1b * cb - x2b * sb);
                    r2[e] = pack(x2a * ca + x1a * sa, x2b * cb + x1b * sb);
                }
                *p1 = Vec16{r1[0], r1[1], r1[2], r1[3]};
                *p2 = Vec16{r2[0], r2[1], r2[2], r2[3]};
            } else {
                const float c = crow[i], s = srow[i];
                const float x1 = __bfloat162float(x[i]), x2 = __bfloat162float(x[i + half]);
                x[i] = __float2bfloat16_rn(x1 * c - x2 * s);
                x[i + half] = __float2bfloat16_rn(x2 * c + x1 * s);
            }
        }
    }
}
SB_REGISTER_KERNEL(sb_rope);
