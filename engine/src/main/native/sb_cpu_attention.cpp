// sb_cpu_attention.cpp: packed (unpadded) attention in bf16 with fp32 accumulation (AVX512-BF16 vdpbf16ps), for the
// CPU encoder's bf16 and int8 modes; called through the FFM API (io.streambert.*.cpu.Bf16Attention).
//
//   sb_bf16_attention(qkv f32[tokens, 3, heads, hd], cu i32[batch + 1], heads, hd, halfWindow, t0, t1,
//                     out f32[tokens, heads * hd])
//     for tasks t in [t0, t1): sequence s = t / heads, head h = t % heads, over its tokens [cu[s], cu[s+1]):
//       q, k, v = bf16(q), bf16(k), bf16(v)                          (round to nearest even; RoPE already applied)
//       s_ij = (sum_d q_id k_jd, fp32 accumulation) * (1 / sqrt(hd))   for |i - j| <= halfWindow (all j if < 0)
//       p_ij = exp(s_ij - max_j s_ij) (fp32), l_i = sum_j p_ij (fp32)
//       out_i = (sum_j bf16(p_ij) v_j, fp32 accumulation) / l_i
//     hd must be even (ModernBERT: 64). Queries go in blocks of QB; a block visits the union of its rows' windows.
//
// Working buffers are per thread (thread_local) and grow to the longest sequence seen.

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <vector>

#define SB_EXPORT extern "C" __attribute__((visibility("default")))
#define SB_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,fma")))
#define SB_INLINE inline __attribute__((always_inline))

namespace {

const int QB = 48;   // queries per block (4 register tiles of 12)
const int TM = 12;   // rows per register tile

struct Buffers {
    std::vector<uint16_t> q, kp, vp, p;
    std::vector<float> s, sums;
};
thread_local Buffers buf;

// exp(x) for x <= 0 (scores minus their maximum), Cephes-style: x = n ln2 + r, |r| <= ln2/2, degree-6 polynomial.
SB_BF16 SB_INLINE __m512 exp_neg(__m512 x) {
    x = _mm512_max_ps(x, _mm512_set1_ps(-87.0f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_fmadd_ps(_mm512_mul_ps(p, r), r, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(p, n);
}

// acc[m][v] += sum_g x[m][2g..2g+1] . w[g][16v..16v+15][0..1], for M rows of x (stride xs, in bf16 elements)
template <int M>
SB_BF16 SB_INLINE void dot_tile(const uint16_t* x, long xs, int groups, const uint16_t* w, __m512 (&acc)[M][2]) {
#pragma GCC unroll 16
    for (int m = 0; m < M; m++) { acc[m][0] = _mm512_setzero_ps(); acc[m][1] = _mm512_setzero_ps(); }
    for (int g = 0; g < groups; g++) {
        __m512bh w0 = (__m512bh)_mm512_loadu_si512(w + g * 64);
        __m512bh w1 = (__m512bh)_mm512_loadu_si512(w + g * 64 + 32);
#pragma GCC unroll 16
        for (int m = 0; m < M; m++) {
            int32_t xv;
            memcpy(&xv, x + m * xs + 2 * g, 4);
            __m512bh b = (__m512bh)_mm512_set1_epi32(xv);
            acc[m][0] = _mm512_dpbf16_ps(acc[m][0], b, w0);
            acc[m][1] = _mm512_dpbf16_ps(acc[m][1], b, w1);
        }
    }
}

// scores: s[m][0..32) = scale * q_m . k_(32 keys of the panel)
template <int M>
SB_BF16 SB_INLINE void score_tile(const uint16_t* q, int hd, const uint16_t* kpanel, float scale, float* s, long ss) {
    __m512 acc[M][2];
    dot_tile<M>(q, hd, hd / 2, kpanel, acc);
    __m512 sc = _mm512_set1_ps(scale);
#pragma GCC unroll 16
    for (int m = 0; m < M; m++) {
        _mm512_storeu_ps(s + m * ss, _mm512_mul_ps(acc[m][0], sc));
        _mm512_storeu_ps(s + m * ss + 16, _mm512_mul_ps(acc[m][1], sc));
    }
}

// out rows: o[m][0..32) (of head dims d0..d0+32, masked to hd) = (p_m . v) / l_m
template <int M>
SB_BF16 SB_INLINE void value_tile(const uint16_t* p, long ps, int groups, const uint16_t* vpanel, const float* sums,
                                  float* o, long os, int valid) {
    __m512 acc[M][2];
    dot_tile<M>(p, ps, groups, vpanel, acc);
    __mmask16 m0 = valid >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << valid) - 1);
    __mmask16 m1 = valid >= 32 ? (__mmask16)0xffff : valid <= 16 ? (__mmask16)0 : (__mmask16)((1u << (valid - 16)) - 1);
#pragma GCC unroll 16
    for (int m = 0; m < M; m++) {
        __m512 inv = _mm512_set1_ps(1.0f / sums[m]);
        _mm512_mask_storeu_ps(o + m * os, m0, _mm512_mul_ps(acc[m][0], inv));
        _mm512_mask_storeu_ps(o + m * os + 16, m1, _mm512_mul_ps(acc[m][1], inv));
    }
}

#define SB_DISPATCH(rows, CALL)                                                   \
    switch (rows) {                                                               \
        case 1: CALL(1); break; case 2: CALL(2); break; case 3: CALL(3); break;   \
        case 4: CALL(4); break; case 5: CALL(5); break; case 6: CALL(6); break;   \
        case 7: CALL(7); break; case 8: CALL(8); break; case 9: CALL(9); break;   \
        case 10: CALL(10); break; case 11: CALL(11); break; default: CALL(12); break; \
    }

SB_BF16 void convert_row(const float* x, int n, uint16_t* o) {
    int i = 0;
    for (; i + 16 <= n; i += 16) _mm256_storeu_si256((__m256i*)(o + i), (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        _mm256_mask_storeu_epi16(o + i, m, (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

SB_BF16 void sequence_head(const float* qkv, int start, int n, int h, int heads, int hd, int halfWindow, float* out) {
    int hidden = heads * hd, stride = 3 * hidden;
    int kpanels = (n + 31) / 32, npad = kpanels * 32;   // keys padded to whole panels (zeros)
    int vpanels = (hd + 31) / 32;
    Buffers& b = buf;
    if ((long)b.q.size() < (long)n * hd) b.q.resize((size_t)n * hd);
    if ((long)b.kp.size() < (long)npad * hd) b.kp.resize((size_t)npad * hd);
    if ((long)b.vp.size() < (long)vpanels * 32 * npad) b.vp.resize((size_t)vpanels * 32 * npad);
    int width = halfWindow < 0 ? npad : std::min(npad, ((QB + 2 * halfWindow + 62) / 32 + 1) * 32);
    if ((long)b.s.size() < (long)QB * width) b.s.resize((size_t)QB * width);
    if ((long)b.p.size() < (long)QB * width) b.p.resize((size_t)QB * width);
    if ((long)b.sums.size() < QB) b.sums.resize(QB);
    uint16_t *Q = b.q.data(), *K = b.kp.data(), *V = b.vp.data(), *P = b.p.data();
    float *S = b.s.data(), *L = b.sums.data();
    // Q rows [n][hd]; K packed [panel][g][32][2]; V packed [dpanel][j pair][32][2]; padding is zero
    std::vector<uint16_t> row(hd);
    memset(K, 0, sizeof(uint16_t) * (size_t)npad * hd);
    memset(V, 0, sizeof(uint16_t) * (size_t)vpanels * 32 * npad);
    for (int j = 0; j < n; j++) {
        const float* base = qkv + (long)(start + j) * stride + h * hd;
        convert_row(base, hd, Q + (long)j * hd);
        convert_row(base + hidden, hd, row.data());
        uint16_t* kpan = K + (long)(j / 32) * 32 * hd;
        for (int d = 0; d < hd; d++) kpan[((d / 2) * 32 + j % 32) * 2 + (d & 1)] = row[d];
        convert_row(base + 2 * hidden, hd, row.data());
        for (int d = 0; d < hd; d++) V[((long)(d / 32) * npad / 2 + j / 2) * 64 + (d % 32) * 2 + (j & 1)] = row[d];
    }
    float scale = 1.0f / sqrtf((float)hd);
    for (int i0 = 0; i0 < n; i0 += QB) {
        int qn = std::min(QB, n - i0), last = i0 + qn - 1;
        int jlo = halfWindow < 0 ? 0 : std::max(0, i0 - halfWindow);
        int jhi = halfWindow < 0 ? n - 1 : std::min(n - 1, last + halfWindow);
        int p0 = jlo / 32, p1 = jhi / 32 + 1;             // key panels visited
        int cols = (p1 - p0) * 32;                          // <= width
        int c0 = p0 * 32;                                   // column 0 of S and P is key c0
        for (int p = p0; p < p1; p++) {
            const uint16_t* kpan = K + (long)p * 32 * hd;
            float* sp = S + (p - p0) * 32;
            for (int r = 0; r < qn; r += TM) {
                int rows = std::min(TM, qn - r);
                const uint16_t* qr = Q + (long)(i0 + r) * hd;
#define SB_SCORE(M) score_tile<M>(qr, hd, kpan, scale, sp + (long)r * cols, cols)
                SB_DISPATCH(rows, SB_SCORE)
#undef SB_SCORE
            }
        }
        // softmax over each row's own window; P = bf16(p) over all cols (zero outside the window)
        for (int r = 0; r < qn; r++) {
            int i = i0 + r;
            int lo = halfWindow < 0 ? 0 : std::max(0, i - halfWindow), hi = halfWindow < 0 ? n - 1 : std::min(n - 1, i + halfWindow);
            float* sr = S + (long)r * cols;
            uint16_t* pr = P + (long)r * cols;
            int a = lo - c0, e = hi - c0 + 1;               // [a, e) in columns
            __m512 mx = _mm512_set1_ps(-INFINITY);
            for (int c = a; c < e; c += 16) {
                __mmask16 m = e - c >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (e - c)) - 1);
                mx = _mm512_mask_max_ps(mx, m, mx, _mm512_maskz_loadu_ps(m, sr + c));
            }
            __m512 vmax = _mm512_set1_ps(_mm512_reduce_max_ps(mx));
            __m512 sum = _mm512_setzero_ps();
            for (int c = 0; c < cols; c += 16) {
                // lanes outside [a, e) are 0
                unsigned lo16 = c >= a ? 0xffffu : (c + 16 <= a ? 0u : (0xffffu << (a - c)) & 0xffffu);
                unsigned hi16 = c + 16 <= e ? 0xffffu : (c >= e ? 0u : (1u << (e - c)) - 1);
                __mmask16 m = (__mmask16)(lo16 & hi16);
                __m512 v = _mm512_maskz_mov_ps(m, exp_neg(_mm512_sub_ps(_mm512_loadu_ps(sr + c), vmax)));
                sum = _mm512_add_ps(sum, v);
                _mm256_storeu_si256((__m256i*)(pr + c), (__m256i)_mm512_cvtneps_pbh(v));
            }
            L[r] = _mm512_reduce_add_ps(sum);
        }
        // out = P V / l over key pairs [c0/2, c0/2 + cols/2)
        for (int dp = 0; dp < vpanels; dp++) {
            const uint16_t* vpan = V + ((long)dp * npad / 2 + c0 / 2) * 64;
            int valid = std::min(32, hd - dp * 32);
            for (int r = 0; r < qn; r += TM) {
                int rows = std::min(TM, qn - r);
                float* o = out + (long)(start + i0 + r) * hidden + h * hd + dp * 32;
#define SB_VALUE(M) value_tile<M>(P + (long)r * cols, cols, cols / 2, vpan, L + r, o, hidden, valid)
                SB_DISPATCH(rows, SB_VALUE)
#undef SB_VALUE
            }
        }
    }
}

}  // namespace

SB_EXPORT SB_BF16 void sb_bf16_attention(const float* qkv, const int* cu, int heads, int hd, int halfWindow, int t0, int t1,
                                         float* out) {
    for (int t = t0; t < t1; t++) {
        int s = t / heads, h = t % heads;
        int start = cu[s], n = cu[s + 1] - cu[s];
        if (n > 0) sequence_head(qkv, start, n, h, heads, hd, halfWindow, out);
    }
}
