// sb_attention.cu: flash-attention-2 style attention over packed (unpadded) sequences.
//
// Math, per sequence s (tokens cu_seqlens[s] .. cu_seqlens[s+1]-1, local positions i, j), per head h:
//   out[i, h, :] = sum_j softmax_j(scale * q_i . k_j) v_j        over the keys j allowed for query i:
//     global layers (window < 0): all j of the sequence;
//     local layers  (window = w >= 0): |i - j| <= w  (ModernBERT: w = local_attention / 2).
//   scale = 1/sqrt(headDim) is passed by the launcher.
//
// Shapes (row-major):
//   qkv        [tokens, 3, heads, HD]   bf16   packed q, k, v as the QKV GEMM wrote them (not changed)
//   rope_cos, rope_sin [max_pos, HD/2] fp32    RoPE angle table of the layer's theta (as sb_rope takes it), read
//                                             only when rope != 0 (else any buffer; Device.launch has no null)
//   out        [tokens, heads * HD]     bf16   heads concatenated: the layout Wo's cuBLAS GEMM reads as bf16
//   cu_seqlens [batch + 1]              int32  cumulative sequence starts
//   tiles      [num_tiles, 2]           int32  (sequence, first query) of every query tile, built on the host by
//                                             io.streambert.gpu.kernels.SequenceTiles.queryTileTable (longest sequences first)
//   visited    [1]                      int32  debug counter: +1 per (block, K tile) visited, only when count_visited != 0
//                                             (Device.launch has no null pointer: a flag says whether it is used)
//
// Tiling (io.streambert.gpu.kernels.AttentionTiling holds the same numbers for the launcher and the tests):
//   block = 4 warps; a block owns BLOCK_Q = 64 queries (16 rows per warp) of one sequence and one head.
//   grid  = (num_tiles, heads): block (x, y) takes query tile tiles[x] of head y. The table holds exactly the
//           sum over sequences of ceil(len / 64) tiles, so a batch mixing one 8192-token sequence with many short
//           ones launches no idle blocks (a (max_seqlen tiles) x batch grid would be mostly early exits).
//   K and V stream through shared memory in tiles of BLOCK_K = 64 keys, stored bf16:
//     Ks [64][HD + 8]  (row = key; +8 bf16 of padding staggers rows over the banks)
//     Vt [HD][64 + 8]  (V transposed, row = dim) so the PV B-fragments are two adjacent bf16 in one word; the key
//                      words of each row are XOR-swizzled (Smem::vt_index; the bank arithmetic is there) so that
//                      neither the transposing stores nor the fragment reads have bank conflicts.
//   Tile loads: a warp loads 16 bytes per lane from LOAD_KEYS keys x LOAD_CHUNKS 16-byte chunks of one head row
//   (4 keys x 128 contiguous bytes for HD 64 and 128, 8 keys x 64 bytes for HD 32).
//   Dynamic shared memory = (64 * (HD + 8) + HD * 72) * 2 bytes (HD 64: 18432, HD 32: 8704, HD 128: 34816).
//   Q stays in registers as mma A fragments for the whole block lifetime.
//   S = Q K^T and O += P V run on the tensor cores through sb_mma_m16n8k16_bf16 (bf16 in, fp32 accumulate);
//   P is rounded to bf16 for the PV product, as flash-attention-2 does.
//   Online softmax in fp32: per query row a running max m and running sum l; on a new max the old O and l are
//   rescaled by exp(m_old - m_new). Exponentials use exp2f on log2(e)-prescaled scores.
//   RoPE (rope != 0) is applied while q and k are loaded, exactly as sb_rope would have rotated qkv first
//   (rotate-half at the sequence-local position, fp32 math from the bf16 inputs, one bf16 rounding; the same
//   expressions, so on the emulator the result is bit-identical to sb_rope + this kernel): q in registers, since a
//   thread's Q fragment ks + KSTEPS/2 holds exactly the partner columns (+ HD/2) of fragment ks; k in the tile
//   load, where the partner 16-byte chunk (+- HD/2) is held by lane ^ (LOAD_CHUNKS / 2) of the same warp-step and
//   comes by __shfl_xor_sync. The angles: 8-byte (q) and 16-byte (k) loads from the table.
//   Local layers visit only the K tiles that meet [q_first - w, q_last + w] (whole tiles skipped, never loaded);
//   the exact |i - j| <= w mask and the sequence end are applied per element inside the visited edge tiles.
//
// Fragment layouts: PTX ISA, "Matrix Fragments for mma.m16n8k16 with floating point type" (Warp Level Matrix
// Multiply-Accumulate Instructions). With g = lane / 4, t = lane % 4:
//   A (16x16 row-major): a[0] = (g, 2t..2t+1), a[1] = (g+8, 2t..2t+1), a[2] = (g, 2t+8..2t+9), a[3] = (g+8, 2t+8..2t+9)
//   B (16x8, element (k, n)): b[0] = (k = 2t..2t+1, n = g), b[1] = (k = 2t+8..2t+9, n = g)
//   C/D (16x8): c[0..1] = (g, 2t..2t+1), c[2..3] = (g+8, 2t..2t+1)
//   Each 32-bit register holds two bf16, the lower column / k index in the low half.
#include "sb_portable.cuh"

namespace sb_attn {

// The tile shape: mirrored by io.streambert.gpu.kernels.AttentionTiling (same names); TileConstantsTest fails the
// build when the two differ.
constexpr int WARPS = 4;
constexpr int BLOCK_Q = 16 * WARPS;   // 64 queries per block
constexpr int BLOCK_K = 64;           // keys per shared-memory tile
constexpr int KPAD = 8;               // bf16 padding per shared row
constexpr float LOG2E = 1.4426950408889634f;

// Two bf16 (lo, hi) in one 32-bit word, from fp32 values (round to nearest even).
__device__ __forceinline__ uint32_t pack_bf16x2(float lo, float hi) {
    __nv_bfloat16 l = __float2bfloat16_rn(lo), h = __float2bfloat16_rn(hi);
    uint16_t lb = *reinterpret_cast<uint16_t*>(&l), hb = *reinterpret_cast<uint16_t*>(&h);
    return (uint32_t)lb | ((uint32_t)hb << 16);
}

// Two adjacent bf16 in memory (4-byte aligned) as one word.
__device__ __forceinline__ uint32_t load_bf16x2(const __nv_bfloat16* p) {
    return *reinterpret_cast<const uint32_t*>(p);
}

// 16 bytes = 8 bf16, for vectorised K/V tile loads (our own type: the same in the nvcc and the emulation build).
struct __align__(16) Vec16 { uint32_t x, y, z, w; };
// 8 and 16 bytes of fp32, for the RoPE table loads (our own types too, for the same reason).
struct __align__(8) F2 { float x, y; };
struct __align__(16) F4 { float x, y, z, w; };

template <int HD>
struct Smem {
    static constexpr int K_STRIDE = HD + KPAD;        // Ks row stride (bf16)
    static constexpr int V_STRIDE = BLOCK_K + KPAD;   // Vt row stride (bf16)
    static constexpr int K_ELEMS = BLOCK_K * K_STRIDE;
    static constexpr int V_ELEMS = HD * V_STRIDE;
    static constexpr int BYTES = (K_ELEMS + V_ELEMS) * 2;

    // Who loads what: lane l of warp-step ws (ws = idx / 32 over the tile's BLOCK_K * HD / 8 chunks of 16 bytes)
    // takes key (ws / CHUNK_GROUPS) * LOAD_KEYS + l / LOAD_CHUNKS and, with slot s = l % LOAD_CHUNKS and
    // P = LOAD_CHUNKS / 2, chunk (s % P) + (ws % CHUNK_GROUPS) * P + (s / P) * CHUNKS / 2 (dims 8 * chunk .. + 7):
    // for HD 32 and 64 simply chunk s; for HD 128 the chunks {0-3, 8-11}, then {4-7, 12-15}. Either way the
    // RoPE partner chunk (+- HD/2 dims = +- CHUNKS/2 chunks) is in slot s ^ P, i.e. lane l ^ P.
    static constexpr int CHUNKS = HD / 8;                              // 16-byte chunks per head row
    static constexpr int LOAD_CHUNKS = CHUNKS < 8 ? CHUNKS : 8;        // chunks of one key per warp-step
    static constexpr int LOAD_KEYS = 32 / LOAD_CHUNKS;                 // keys per warp-step: 8 (HD 32) or 4
    static constexpr int CHUNK_GROUPS = CHUNKS / LOAD_CHUNKS;          // 1, or 2 for HD 128
    __device__ __forceinline__ static int load_key(int idx) {
        return (idx / 32 / CHUNK_GROUPS) * LOAD_KEYS + (idx % 32) / LOAD_CHUNKS;
    }
    __device__ __forceinline__ static int load_dim(int idx) {
        constexpr int P = LOAD_CHUNKS / 2;
        const int s = (idx % 32) % LOAD_CHUNKS;
        return ((s % P) + (idx / 32 % CHUNK_GROUPS) * P + (s / P) * (CHUNKS / 2)) * 8;
    }
    static constexpr int PARTNER_LANE = LOAD_CHUNKS / 2;   // lane ^ PARTNER_LANE holds the RoPE partner chunk

    // Vt's element (dim d, key) is at d * V_STRIDE + 2 * (key / 2 ^ swz(d)) + key % 2 with swz(d) = 4 * f(d / 8),
    // f(ci) = (ci % 4) + 4 * ((ci / 4 ^ ci / 8) % 2) (= ci for ci < 8; maps HD 128's chunk sets {0-3, 8-11} and
    // {4-7, 12-15} of one warp-step onto 0..7 each): the 32 words (key pairs) of row d are permuted by an XOR on
    // word-index bits 2..4. A word keeps its two keys
    // (a B fragment stays one 32-bit load), stays inside its row, and bits 0..1 (the fragment's t) are untouched.
    //
    // Bank arithmetic (32 banks of 4 bytes; V_STRIDE = 72 bf16 = 36 words, 36 = 4 mod 32, so dim row d starts
    // at bank 4d mod 32):
    //   Stores. In one 16-bit store instruction (fixed e and half h, see the load loop) lane l writes dim
    //   d = 8 ci + 2e + h and key r, with ci = chunk (LOAD_CHUNKS consecutive values across the warp) and word
    //   kw = r / 2 (LOAD_KEYS / 2 values: an aligned block of 2 words, or 4 for HD 32). Its bank is
    //   (4d + kw') mod 32 = (32 ci + 8e + 4h + kw') mod 32 = (8e + 4h + kw') mod 32: the chunk ci drops out.
    //   Unswizzled (kw' = kw) the warp's LOAD_CHUNKS chunks therefore hit the same 2 banks (HD 64: 32 lanes, 4
    //   keys = 2 words, 8 chunks) with 8 different words each: an 8-way conflict (HD 32: 4-way; HD 128, when a
    //   warp took 2 keys x 16 chunks: 16-way). Swizzled, kw' = kw ^ 4 f(ci): kw varies only in bits 0..1 and
    //   4 f(ci) takes LOAD_CHUNKS distinct values in bits 2..4, so the warp writes LOAD_CHUNKS * LOAD_KEYS / 2
    //   = 16 distinct words kw' in 0..31, on 16 distinct banks; the two lanes of a word write its two halves,
    //   which is not a conflict.
    //   Reads (O += P V). Lane (g, t) reads row d = 8 nb + g, words kw = 8 kk + 4j + t (j = 0, 1); swz = 4 f(nb)
    //   is a compile-time constant of the unrolled loop with bits 0..1 clear, so kw' = ((8 kk + 4j) ^ swz) + t:
    //   a constant offset from the lane's base (no address arithmetic added), bank (4g + const + t) mod 32:
    //   32 distinct banks, as without the swizzle.
    // The emulator does not model banks: AttentionBanksTest (test scope) replays these index formulas and counts
    // the worst conflict degree; AttentionKernelTest checks the results.
    static_assert(LOAD_CHUNKS * LOAD_KEYS / 2 == 16 && LOAD_CHUNKS <= 8, "a warp's V stores cover 16 words");
    __device__ __forceinline__ static int swz(int ci) { return 4 * ((ci & 3) | ((((ci >> 2) ^ (ci >> 3)) & 1) << 2)); }
    __device__ __forceinline__ static int vt_index(int d, int key) {
        return d * V_STRIDE + 2 * ((key >> 1) ^ swz(d >> 3)) + (key & 1);
    }
};

template <int HD>
__device__ __forceinline__ void attention_tile(const __nv_bfloat16* __restrict__ qkv, __nv_bfloat16* __restrict__ out,
                                               const int* __restrict__ cu_seqlens, const int* __restrict__ tiles,
                                               int heads, int window, float scale, const float* __restrict__ rope_cos,
                                               const float* __restrict__ rope_sin, int rope, int* visited,
                                               int count_visited) {
    static_assert(HD % 16 == 0 && HD >= 32 && HD <= 128, "head dim must be 32, 64 or 128");
    constexpr int KSTEPS = HD / 16;     // k-steps of 16 over the head dim for S = Q K^T
    constexpr int ONB = HD / 8;         // n-blocks of 8 over the head dim for O
    constexpr int SNB = BLOCK_K / 8;    // n-blocks of 8 over the keys of one tile for S
    constexpr int HALF = HD / 2;        // RoPE pairs dims i and i + HALF
    using L = Smem<HD>;

    SB_DYNAMIC_SHARED(__nv_bfloat16, smem);
    __nv_bfloat16* Ks = smem;               // [BLOCK_K][HD + KPAD]
    __nv_bfloat16* Vt = smem + L::K_ELEMS;  // [HD][BLOCK_K + KPAD]

    if (!count_visited) visited = nullptr;
    const int seq = tiles[2 * blockIdx.x], head = blockIdx.y;
    const int seq_start = cu_seqlens[seq];
    const int len = cu_seqlens[seq + 1] - seq_start;
    const int q0 = tiles[2 * blockIdx.x + 1];   // first query (sequence-local) of this block, < len by construction
    if (q0 >= len) return;                      // defensive: a stale table never reads past the sequence

    const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32;
    const int g = lane / 4, t = lane % 4;
    const int row_stride = 3 * heads * HD;  // elements between consecutive tokens in qkv

    // ---- Q fragments of this warp's 16 rows (rows past the end are zero) ----
    const int qr0 = q0 + warp * 16 + g, qr1 = qr0 + 8;      // the two query rows this thread owns
    uint32_t qf[KSTEPS][4];
    {
        const __nv_bfloat16* q_base = qkv + (size_t)seq_start * row_stride + head * HD;  // part 0 = q
        #pragma unroll
        for (int ks = 0; ks < KSTEPS; ks++) {
            const int c = ks * 16 + 2 * t;
            qf[ks][0] = qr0 < len ? load_bf16x2(q_base + (size_t)qr0 * row_stride + c) : 0u;
            qf[ks][1] = qr1 < len ? load_bf16x2(q_base + (size_t)qr1 * row_stride + c) : 0u;
            qf[ks][2] = qr0 < len ? load_bf16x2(q_base + (size_t)qr0 * row_stride + c + 8) : 0u;
            qf[ks][3] = qr1 < len ? load_bf16x2(q_base + (size_t)qr1 * row_stride + c + 8) : 0u;
        }
        if (rope) {
            // qf[ks][e] holds row (e odd ? qr1 : qr0), columns i, i + 1 with i = 16 ks + 2t (+ 8 for e >= 2); for
            // ks < KSTEPS / 2 those are < HALF and their partners i + HALF are in qf[ks + KSTEPS / 2][e].
            #pragma unroll
            for (int ks = 0; ks < KSTEPS / 2; ks++) {
                #pragma unroll
                for (int e = 0; e < 4; e++) {
                    const int row = (e & 1) ? qr1 : qr0;   // sequence-local position
                    if (row < len) {
                        const int i = ks * 16 + 2 * t + (e >= 2 ? 8 : 0);
                        const F2 cs = *reinterpret_cast<const F2*>(rope_cos + (size_t)row * HALF + i);
                        const F2 sn = *reinterpret_cast<const F2*>(rope_sin + (size_t)row * HALF + i);
                        const uint32_t w1 = qf[ks][e], w2 = qf[ks + KSTEPS / 2][e];
                        const float x1a = __uint_as_float(w1 << 16), x1b = __uint_as_float(w1 & 0xffff0000u);
                        const float x2a = __uint_as_float(w2 << 16), x2b = __uint_as_float(w2 & 0xffff0000u);
                        qf[ks][e] = pack_bf16x2(x1a * cs.x - x2a * sn.x, x1b * cs.y - x2b * sn.y);
                        qf[ks + KSTEPS / 2][e] = pack_bf16x2(x2a * cs.x + x1a * sn.x, x2b * cs.y + x1b * sn.y);
                    }
                }
            }
        }
    }

    float o[ONB][4];
    #pragma unroll
    for (int nb = 0; nb < ONB; nb++) o[nb][0] = o[nb][1] = o[nb][2] = o[nb][3] = 0.f;
    float m0 = -INFINITY, m1 = -INFINITY;   // running max (log2 domain) of rows qr0, qr1
    float l0 = 0.f, l1 = 0.f;               // running sums of this thread's columns of rows qr0, qr1
    const float sl2 = scale * LOG2E;

    // ---- the K tiles this query tile needs ----
    const int q_last = min(q0 + BLOCK_Q, len) - 1;
    int k_lo = 0, k_hi = len - 1;
    if (window >= 0) {
        k_lo = max(0, q0 - window);
        k_hi = min(len - 1, q_last + window);
    }
    const int kt_first = k_lo / BLOCK_K, kt_last = k_hi / BLOCK_K;

    const __nv_bfloat16* k_base = qkv + (size_t)seq_start * row_stride + heads * HD + head * HD;      // part 1
    const __nv_bfloat16* v_base = qkv + (size_t)seq_start * row_stride + 2 * heads * HD + head * HD;  // part 2

    for (int kt = kt_first; kt <= kt_last; kt++) {
        const int k0 = kt * BLOCK_K;
        if (visited != nullptr && tid == 0) atomicAdd(visited, 1);

        __syncthreads();  // the previous tile's Ks/Vt are no longer read
        // Load K rows [k0, k0 + 64) as is and V transposed, 8 bf16 (16 bytes) per load: qkv rows, head offsets and
        // the padded Ks rows are all multiples of 16 bytes. Keys past the end are zero (0 * anything stays 0 in PV).
        for (int idx = tid; idx < BLOCK_K * (HD / 8); idx += WARPS * 32) {
            const int r = L::load_key(idx), c = L::load_dim(idx);
            const int key = k0 + r;
            Vec16 kw = {0u, 0u, 0u, 0u}, vw = {0u, 0u, 0u, 0u};
            if (key < len) {
                kw = *reinterpret_cast<const Vec16*>(k_base + (size_t)key * row_stride + c);
                vw = *reinterpret_cast<const Vec16*>(v_base + (size_t)key * row_stride + c);
            }
            if (rope) {   // uniform over the block, and every lane runs the same number of iterations
                Vec16 pw;   // the partner chunk, dims c +- HALF of the same key
                pw.x = __shfl_xor_sync(0xffffffffu, kw.x, L::PARTNER_LANE);
                pw.y = __shfl_xor_sync(0xffffffffu, kw.y, L::PARTNER_LANE);
                pw.z = __shfl_xor_sync(0xffffffffu, kw.z, L::PARTNER_LANE);
                pw.w = __shfl_xor_sync(0xffffffffu, kw.w, L::PARTNER_LANE);
                if (key < len) {
                    const int i0 = c % HALF;
                    const F4* cp = reinterpret_cast<const F4*>(rope_cos + (size_t)key * HALF + i0);
                    const F4* sp = reinterpret_cast<const F4*>(rope_sin + (size_t)key * HALF + i0);
                    const F4 c0 = cp[0], c1 = cp[1], s0 = sp[0], s1 = sp[1];
                    const float cs[8] = {c0.x, c0.y, c0.z, c0.w, c1.x, c1.y, c1.z, c1.w};
                    const float sn[8] = {s0.x, s0.y, s0.z, s0.w, s1.x, s1.y, s1.z, s1.w};
                    const uint32_t own[4] = {kw.x, kw.y, kw.z, kw.w}, par[4] = {pw.x, pw.y, pw.z, pw.w};
                    uint32_t rot[4];
                    #pragma unroll
                    for (int e = 0; e < 4; e++) {
                        const float xa = __uint_as_float(own[e] << 16), xb = __uint_as_float(own[e] & 0xffff0000u);
                        const float pa = __uint_as_float(par[e] << 16), pb = __uint_as_float(par[e] & 0xffff0000u);
                        const float ca = cs[2 * e], cb = cs[2 * e + 1], sa = sn[2 * e], sb = sn[2 * e + 1];
                        // c < HALF: own = x1, partner = x2 -> x1 c - x2 s; else own = x2, partner = x1 -> x2 c + x1 s
                        rot[e] = c < HALF ? pack_bf16x2(xa * ca - pa * sa, xb * cb - pb * sb)
                                          : pack_bf16x2(xa * ca + pa * sa, xb * cb + pb * sb);
                    }
                    kw.x = rot[0]; kw.y = rot[1]; kw.z = rot[2]; kw.w = rot[3];
                }
            }
            *reinterpret_cast<Vec16*>(Ks + r * L::K_STRIDE + c) = kw;
            const uint32_t vwords[4] = {vw.x, vw.y, vw.z, vw.w};
            // transposing stores, swizzled: no bank conflict. Dims c..c+7 share d / 8 = c / 8, so
            // vt_index(c + i, r) = (c + i) * V_STRIDE + key_off with one key_off for all eight.
            const int key_off = 2 * ((r >> 1) ^ L::swz(c >> 3)) + (r & 1);
            uint16_t* vt = reinterpret_cast<uint16_t*>(Vt) + c * L::V_STRIDE + key_off;
            #pragma unroll
            for (int e = 0; e < 4; e++) {
                vt[(2 * e) * L::V_STRIDE] = (uint16_t)(vwords[e] & 0xffffu);
                vt[(2 * e + 1) * L::V_STRIDE] = (uint16_t)(vwords[e] >> 16);
            }
        }
        __syncthreads();

        // ---- S = Q K^T for this warp's 16 rows x 64 keys ----
        float s[SNB][4];
        #pragma unroll
        for (int nb = 0; nb < SNB; nb++) {
            s[nb][0] = s[nb][1] = s[nb][2] = s[nb][3] = 0.f;
            const __nv_bfloat16* krow = Ks + (nb * 8 + g) * L::K_STRIDE;   // B(k = dim, n = key g)
            #pragma unroll
            for (int ks = 0; ks < KSTEPS; ks++) {
                uint32_t b[2] = {load_bf16x2(krow + ks * 16 + 2 * t), load_bf16x2(krow + ks * 16 + 2 * t + 8)};
                sb_mma_m16n8k16_bf16(s[nb], qf[ks], b, s[nb]);
            }
        }

        // ---- mask (sequence end, window) and scale into the log2 domain; row maxima ----
        float tmax0 = -INFINITY, tmax1 = -INFINITY;
        #pragma unroll
        for (int nb = 0; nb < SNB; nb++) {
            #pragma unroll
            for (int e = 0; e < 4; e++) {
                const int j = k0 + nb * 8 + 2 * t + (e & 1);
                const int i = (e < 2) ? qr0 : qr1;
                bool ok = j < len;
                if (window >= 0) ok = ok && (i - j <= window) && (j - i <= window);
                const float v = ok ? s[nb][e] * sl2 : -INFINITY;
                s[nb][e] = v;
                if (e < 2) tmax0 = fmaxf(tmax0, v); else tmax1 = fmaxf(tmax1, v);
            }
        }
        // The 4 threads of a group (same g) share a row: reduce across t.
        tmax0 = fmaxf(tmax0, __shfl_xor_sync(0xffffffffu, tmax0, 1));
        tmax0 = fmaxf(tmax0, __shfl_xor_sync(0xffffffffu, tmax0, 2));
        tmax1 = fmaxf(tmax1, __shfl_xor_sync(0xffffffffu, tmax1, 1));
        tmax1 = fmaxf(tmax1, __shfl_xor_sync(0xffffffffu, tmax1, 2));

        const float mn0 = fmaxf(m0, tmax0), mn1 = fmaxf(m1, tmax1);
        // A row with no allowed key yet keeps max -inf: use 0 as the reference so exp2 gives 0, never NaN.
        const float ref0 = mn0 == -INFINITY ? 0.f : mn0, ref1 = mn1 == -INFINITY ? 0.f : mn1;
        const float alpha0 = exp2f(m0 - ref0), alpha1 = exp2f(m1 - ref1);   // exp2(-inf) = 0 on the first tile
        m0 = mn0;
        m1 = mn1;
        l0 *= alpha0;
        l1 *= alpha1;
        #pragma unroll
        for (int nb = 0; nb < ONB; nb++) {
            o[nb][0] *= alpha0; o[nb][1] *= alpha0;
            o[nb][2] *= alpha1; o[nb][3] *= alpha1;
        }

        // ---- P = exp2(S - m), rounded to bf16 for the tensor cores; l sums the same rounded values ----
        uint32_t pf[BLOCK_K / 16][4];
        #pragma unroll
        for (int kk = 0; kk < BLOCK_K / 16; kk++) {
            float p[2][4];
            #pragma unroll
            for (int h2 = 0; h2 < 2; h2++) {
                const int nb = 2 * kk + h2;
                p[h2][0] = exp2f(s[nb][0] - ref0);
                p[h2][1] = exp2f(s[nb][1] - ref0);
                p[h2][2] = exp2f(s[nb][2] - ref1);
                p[h2][3] = exp2f(s[nb][3] - ref1);
            }
            // C layout of key blocks 2kk, 2kk+1 is exactly the A layout of the 16-key slice kk.
            pf[kk][0] = pack_bf16x2(p[0][0], p[0][1]);
            pf[kk][1] = pack_bf16x2(p[0][2], p[0][3]);
            pf[kk][2] = pack_bf16x2(p[1][0], p[1][1]);
            pf[kk][3] = pack_bf16x2(p[1][2], p[1][3]);
            #pragma unroll
            for (int r = 0; r < 4; r++) {
                const uint32_t w = pf[kk][r];
                const float lo = __uint_as_float(w << 16), hi = __uint_as_float(w & 0xffff0000u);
                if (r == 0 || r == 2) l0 += lo + hi; else l1 += lo + hi;
            }
        }

        // ---- O += P V ----
        #pragma unroll
        for (int nb = 0; nb < ONB; nb++) {
            // B(k = key, n = dim 8 nb + g). vt_index(8 nb + g, 16 kk + 8j + 2t) = g * V_STRIDE + 2t (the lane's
            // base) + 8 nb * V_STRIDE + 2 ((8 kk + 4j) ^ swz(nb)): t < 4 is untouched by the XOR, so the rest
            // is a compile-time constant of the unrolled loops.
            const __nv_bfloat16* vrow = Vt + g * L::V_STRIDE + 2 * t + nb * 8 * L::V_STRIDE;
            #pragma unroll
            for (int kk = 0; kk < BLOCK_K / 16; kk++) {
                const int sw = L::swz(nb);
                uint32_t b[2] = {load_bf16x2(vrow + 2 * ((8 * kk) ^ sw)),
                                 load_bf16x2(vrow + 2 * ((8 * kk + 4) ^ sw))};
                sb_mma_m16n8k16_bf16(o[nb], pf[kk], b, o[nb]);
            }
        }
    }

    // ---- normalise and store bf16 ----
    l0 += __shfl_xor_sync(0xffffffffu, l0, 1);
    l0 += __shfl_xor_sync(0xffffffffu, l0, 2);
    l1 += __shfl_xor_sync(0xffffffffu, l1, 1);
    l1 += __shfl_xor_sync(0xffffffffu, l1, 2);
    const float inv0 = l0 > 0.f ? 1.f / l0 : 0.f, inv1 = l1 > 0.f ? 1.f / l1 : 0.f;
    const int out_stride = heads * HD;
    __nv_bfloat16* o_base = out + (size_t)seq_start * out_stride + head * HD;
    #pragma unroll
    for (int nb = 0; nb < ONB; nb++) {
        const int c = nb * 8 + 2 * t;
        if (qr0 < len)
            *reinterpret_cast<uint32_t*>(o_base + (size_t)qr0 * out_stride + c) = pack_bf16x2(o[nb][0] * inv0, o[nb][1] * inv0);
        if (qr1 < len)
            *reinterpret_cast<uint32_t*>(o_base + (size_t)qr1 * out_stride + c) = pack_bf16x2(o[nb][2] * inv1, o[nb][3] * inv1);
    }
}

}  // namespace sb_attn

// One entry point per head dim (looked up by name; no C++ templates across the launch boundary).
// Arguments: qkv [tokens,3,heads,HD] bf16, out [tokens,heads*HD] bf16, cu_seqlens [batch+1] int32,
//            tiles [num_tiles,2] int32, heads, window (-1 = global), scale, rope_cos, rope_sin [max_pos, HD/2] fp32,
//            rope (0: no RoPE, the tables are not read), visited (int32 counter), count_visited (0: visited is not touched).
#define SB_ATTENTION_ENTRY(HD, BOUNDS)                                                                                 \
    SB_KERNEL void BOUNDS                                                                                         \
    sb_attention_hd##HD(const __nv_bfloat16* qkv, __nv_bfloat16* out, const int* cu_seqlens,    \
                                       const int* tiles, int heads, int window, float scale,                    \
                                       const float* rope_cos, const float* rope_sin, int rope, int* visited,    \
                                       int count_visited) {                                                     \
        sb_attn::attention_tile<HD>(qkv, out, cu_seqlens, tiles, heads, window, scale, rope_cos, rope_sin, rope, \
                                    visited, count_visited);                                                     \
    }                                                                                                            \
    SB_REGISTER_KERNEL(sb_attention_hd##HD)

// __launch_bounds__(128 threads, 4 blocks per SM) caps hd 32/64 at 128 registers, so 4 blocks fit an SM's 64 K
// registers (without it sm_80 took 132 for hd 64: 3 blocks). hd 128 is left to ptxas (168 registers, 3 blocks): capping
// it at 168 made it spill. An occupancy choice made from ptxas figures only; its speed effect is unmeasured.
SB_ATTENTION_ENTRY(64, __launch_bounds__(128, 4));
SB_ATTENTION_ENTRY(32, __launch_bounds__(128, 4));
SB_ATTENTION_ENTRY(128, );
