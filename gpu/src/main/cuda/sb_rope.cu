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
// Launch (io.streambert.gpu.kernels.RopeLaunch): grid.x = ceil(tokens / tokens_per_block), block = any multiple
// of 32; each block handles tokens_per_block consecutive tokens, its threads stride over (part, head, i).
// Each thread finds its token's sequence by binary search in cu_seqlens (batch is small).
// Precondition (checked by the Java launcher): every sequence length <= max_pos.
#include "sb_portable.cuh"

SB_KERNEL void sb_rope(__nv_bfloat16* qkv, const int* cu_seqlens, int batch, int tokens, int heads, int head_dim,
                       const float* cos_table, const float* sin_table, int tokens_per_block) {
    const int half = head_dim / 2;
    const int pairs = 2 * heads * half;               // (part in {q, k}) x heads x half rotation pairs per token
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
        for (int idx = threadIdx.x; idx < pairs; idx += blockDim.x) {
            const int i = idx % half;
            const int ph = idx / half;                 // part * heads + head, part 0 (q) or 1 (k)
            __nv_bfloat16* x = row + (size_t)ph * head_dim;
            const float c = cos_table[(size_t)pos * half + i], s = sin_table[(size_t)pos * half + i];
            const float x1 = __bfloat162float(x[i]), x2 = __bfloat162float(x[i + half]);
            x[i] = __float2bfloat16_rn(x1 * c - x2 * s);
            x[i + half] = __float2bfloat16_rn(x2 * c + x1 * s);
        }
    }
}
SB_REGISTER_KERNEL(sb_rope);
