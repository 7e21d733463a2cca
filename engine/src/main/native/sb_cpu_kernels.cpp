// sb_cpu_kernels.cpp: the CPU encoder's low-precision matrix products, for instructions the JDK's Vector API
// cannot emit (AVX512-VNNI vpdpbusd, AVX512-BF16 vdpbf16ps). Built by src/build/cpu-native-build.sh with g++ into
// libstreambert_cpu.so and called through the FFM API (io.streambert.*.cpu.NativeCpu). Every instruction-set
// specific function carries its own target attribute, so the library loads on any x86-64; Java calls a kernel
// only after sb_cpu_features() reported what it needs.
//
// What each function computes (shapes row-major; all counts are elements):
//
//   sb_q8_quantize_rows(x f32[rows, in], rows, in, kpad, qx u8[rows, kpad], sx f32[rows])
//       per-token symmetric int8: amax = max_i |x[r,i]|, inv = 127 / amax (0 when amax is 0),
//       q = round_half_even(x * inv) in [-127, 127], stored offset by +128 as u8 (vpdpbusd multiplies u8 by s8);
//       columns [in, kpad) hold 128 (the encoding of 0); sx[r] = amax / 127.
//   sb_q8_linear(qx u8[rows, kpad], sx f32[rows], r0, r1, kpad, w s8 packed, sw f32[outPad], wsum128 i32[outPad],
//                bias f32[outPad], out, p0, p1, y f32[rows, out])
//       for rows [r0, r1) and output panels [p0, p1) of 32 columns:
//       acc = sum_k qx[r,k] * qw[o,k] - wsum128[o]      (exact int32; wsum128[o] = 128 * sum_k qw[o,k])
//       y[r,o] = fma((float) acc, sx[r] * sw[o], bias[o])
//       w packed: panel p, k-group g (4 inputs), column c in [0, 32), byte j: w[((p * kpad/4 + g) * 32 + c) * 4 + j]
//       = qw[p*32 + c, 4g + j] (zero past out and past in).
//   sb_bf16_convert_rows(x f32[rows, in], rows, in, kpad, xb bf16[rows, kpad])
//       round-to-nearest-even to bfloat16; columns [in, kpad) hold 0.
//   sb_bf16_linear(xb bf16[rows, kpad], r0, r1, kpad, w bf16 packed, bias f32[outPad], out, p0, p1, y f32[rows, out])
//       y[r,o] = bias[o] + sum_k xb[r,k] * wb[o,k] with fp32 accumulation (vdpbf16ps, pairs of k);
//       w packed: w[((p * kpad/2 + g) * 32 + c) * 2 + j] = wb[p*32 + c, 2g + j].
//   sb_peak_int8(iterations) / sb_peak_bf16(iterations): 24 independent vpdpbusd / vdpbf16ps chains, for the
//       machine's int8 / bf16 dot-product peak; return a value that depends on the work so it is not removed.
//
// kpad is a multiple of 4 (int8) or 2 (bf16); the Java side rounds it up to a multiple of 64 for both.

#include <cpuid.h>
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define SB_EXPORT extern "C" __attribute__((visibility("default")))
#define SB_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))
#define SB_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,fma")))
#define SB_BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,fma")))
#define SB_INLINE inline __attribute__((always_inline))

enum {
    SB_AVX512F = 1 << 0,     // AVX512F + BW + VL + DQ, with the OS saving ZMM state
    SB_AVX512_VNNI = 1 << 1,
    SB_AVX_VNNI = 1 << 2,
    SB_AVX512_BF16 = 1 << 3,
    SB_AMX_INT8 = 1 << 4,    // AMX tiles + INT8, with the OS saving tile state (XCR0 bits 17, 18)
    SB_AMX_BF16 = 1 << 5,
    SB_AVX2_FMA = 1 << 6,
};

static const int NR = 32;          // output columns per panel: two 16-lane vectors
static const int MR = 12;          // rows per register tile: 24 accumulators + 2 weight vectors + 1 broadcast

static uint64_t xgetbv0() {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

// What this processor and OS can run, from CPUID (leaves 1, 7.0, 7.1) and XCR0.
SB_EXPORT int sb_cpu_features(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    bool osxsave = c & (1u << 27), fma = c & (1u << 12);
    if (!osxsave) return 0;
    uint64_t xcr0 = xgetbv0();
    bool ymm = (xcr0 & 0x6) == 0x6;
    bool zmm = ymm && (xcr0 & 0xe0) == 0xe0;
    bool tiles = (xcr0 & (3ull << 17)) == (3ull << 17);
    unsigned max = __get_cpuid_max(0, nullptr);
    if (max < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    bool avx2 = b & (1u << 5);
    bool f = b & (1u << 16), dq = b & (1u << 17), bw = b & (1u << 30), vl = b & (1u << 31);
    bool vnni512 = c & (1u << 11);
    bool amxBf16 = d & (1u << 22), amxTile = d & (1u << 24), amxInt8 = d & (1u << 25);
    unsigned a1 = 0, b1, c1, d1;
    __cpuid_count(7, 1, a1, b1, c1, d1);
    bool avxVnni = a1 & (1u << 4), bf16 = a1 & (1u << 5);
    int r = 0;
    bool avx512 = zmm && f && dq && bw && vl;
    if (ymm && avx2 && fma) r |= SB_AVX2_FMA;
    if (avx512) r |= SB_AVX512F;
    if (avx512 && vnni512) r |= SB_AVX512_VNNI;
    if (ymm && avxVnni) r |= SB_AVX_VNNI;
    if (avx512 && bf16) r |= SB_AVX512_BF16;
    if (tiles && amxTile && amxInt8) r |= SB_AMX_INT8;
    if (tiles && amxTile && amxBf16) r |= SB_AMX_BF16;
    return r;
}

// ---------------------------------------------------------------------------------------------------- int8

SB_EXPORT SB_AVX512 void sb_q8_quantize_rows(const float* x, int rows, int in, int kpad, uint8_t* qx, float* sx) {
    const __m512 absMask = _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff));
    for (int r = 0; r < rows; r++) {
        const float* xr = x + (long)r * in;
        uint8_t* q = qx + (long)r * kpad;
        __m512 m = _mm512_setzero_ps();
        int i = 0;
        for (; i + 16 <= in; i += 16) m = _mm512_max_ps(m, _mm512_and_ps(_mm512_loadu_ps(xr + i), absMask));
        float amax = _mm512_reduce_max_ps(m);
        for (; i < in; i++) { float v = xr[i] < 0 ? -xr[i] : xr[i]; if (v > amax) amax = v; }
        float inv = amax > 0 ? 127.0f / amax : 0.0f;
        sx[r] = amax / 127.0f;
        __m512 vinv = _mm512_set1_ps(inv);
        __m512i off = _mm512_set1_epi32(128);
        for (i = 0; i + 16 <= in; i += 16) {
            __m512i v = _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(xr + i), vinv));   // MXCSR: round half even
            v = _mm512_add_epi32(v, off);
            _mm_storeu_si128((__m128i*)(q + i), _mm512_cvtepi32_epi8(v));
        }
        for (; i < in; i++) q[i] = (uint8_t)((int)__builtin_nearbyintf(xr[i] * inv) + 128);
        for (; i < kpad; i++) q[i] = 128;
    }
}

template <int M>
SB_VNNI SB_INLINE static void q8_tile(const uint8_t* x, int kpad, const int8_t* wp, const float* sx, const float* sw,
                                      const int32_t* wsum, const float* bias, int col0, int out, float* y) {
    __m512i acc[M][2];
#pragma GCC unroll 16
    for (int m = 0; m < M; m++) { acc[m][0] = _mm512_setzero_si512(); acc[m][1] = _mm512_setzero_si512(); }
    int groups = kpad / 4;
    for (int g = 0; g < groups; g++) {
        __m512i w0 = _mm512_loadu_si512(wp + g * 128);
        __m512i w1 = _mm512_loadu_si512(wp + g * 128 + 64);
#pragma GCC unroll 16
        for (int m = 0; m < M; m++) {
            int32_t xv;
            memcpy(&xv, x + (long)m * kpad + 4 * g, 4);
            __m512i b = _mm512_set1_epi32(xv);
            acc[m][0] = _mm512_dpbusd_epi32(acc[m][0], b, w0);
            acc[m][1] = _mm512_dpbusd_epi32(acc[m][1], b, w1);
        }
    }
#pragma GCC unroll 2
    for (int v = 0; v < 2; v++) {
        int c = col0 + 16 * v;
        if (c >= out) break;
        __mmask16 mask = out - c >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (out - c)) - 1);
        __m512i ws = _mm512_loadu_si512(wsum + c);
        __m512 s = _mm512_loadu_ps(sw + c);
        __m512 b = _mm512_loadu_ps(bias + c);
#pragma GCC unroll 16
        for (int m = 0; m < M; m++) {
            __m512 f = _mm512_cvtepi32_ps(_mm512_sub_epi32(acc[m][v], ws));
            __m512 scale = _mm512_mul_ps(_mm512_set1_ps(sx[m]), s);
            _mm512_mask_storeu_ps(y + (long)m * out + c, mask, _mm512_fmadd_ps(f, scale, b));
        }
    }
}

SB_EXPORT SB_VNNI void sb_q8_linear(const uint8_t* qx, const float* sx, int r0, int r1, int kpad, const int8_t* w,
                                    const float* sw, const int32_t* wsum, const float* bias, int out, int p0, int p1,
                                    float* y) {
    long panelBytes = (long)kpad * NR;
    for (int p = p0; p < p1; p++) {
        const int8_t* wp = w + p * panelBytes;
        int col0 = p * NR;
        int r = r0;
        for (; r + MR <= r1; r += MR)
            q8_tile<MR>(qx + (long)r * kpad, kpad, wp, sx + r, sw, wsum, bias, col0, out, y + (long)r * out);
        const uint8_t* xr = qx + (long)r * kpad;
        float* yr = y + (long)r * out;
        switch (r1 - r) {
            case 0: break;
            case 1: q8_tile<1>(xr, kpad, wp, sx + r, sw, wsum, bias, col0, out, yr); break;
            case 2: q8_tile<2>(xr, kpad, wp, sx + r, sw, wsum, bias, col0, out, yr); break;
            case 3: q8_tile<3>(xr, kpad, wp, sx + r, sw, wsum, bias, col0, out, yr); break;
            case 4: q8_tile<4>(xr, kpad, wp, sx + r, sw, wsum, bias, col0, out, yr); break;
            case 5: q8_tile<5>(xr, kpad, wp, sx + r, sw, wsum, bias, col0, out, yr); break;
            case 6: q8_tile<6>(xr, kpad, wp, sx + r, sw, wsum, bias, col0, out, yr); break;
            case 7: q8_tile<7>(xr, kpad, wp, sx + r, sw, wsum, bias, col0, out, yr); break;
            case 8: q8_tile<8>(xr, kpad, wp, sx + r, sw, wsum, bias, col0, out, yr); break;
            case 9: q8_tile<9>(xr, kpad, wp, sx + r, sw, wsum, bias, col0, out, yr); break;
            case 10: q8_tile<10>(xr, kpad, wp, sx + r, sw, wsum, bias, col0, out, yr); break;
            default: q8_tile<11>(xr, kpad, wp, sx + r, sw, wsum, bias, col0, out, yr); break;
        }
    }
}

// ---------------------------------------------------------------------------------------------------- bf16

SB_EXPORT SB_BF16 void sb_bf16_convert_rows(const float* x, int rows, int in, int kpad, uint16_t* xb) {
    for (int r = 0; r < rows; r++) {
        const float* xr = x + (long)r * in;
        uint16_t* o = xb + (long)r * kpad;
        int i = 0;
        for (; i + 16 <= in; i += 16) {
            __m256bh v = _mm512_cvtneps_pbh(_mm512_loadu_ps(xr + i));
            _mm256_storeu_si256((__m256i*)(o + i), (__m256i)v);
        }
        if (i < in) {
            __mmask16 m = (__mmask16)((1u << (in - i)) - 1);
            __m256bh v = _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, xr + i));
            _mm256_mask_storeu_epi16(o + i, m, (__m256i)v);
            i = in;
        }
        for (; i < kpad; i++) o[i] = 0;
    }
}

template <int M>
SB_BF16 SB_INLINE static void bf16_tile(const uint16_t* x, int kpad, const uint16_t* wp, const float* bias, int col0,
                                        int out, float* y) {
    __m512 acc[M][2];
#pragma GCC unroll 16
    for (int m = 0; m < M; m++) { acc[m][0] = _mm512_setzero_ps(); acc[m][1] = _mm512_setzero_ps(); }
    int groups = kpad / 2;
    for (int g = 0; g < groups; g++) {
        __m512bh w0 = (__m512bh)_mm512_loadu_si512(wp + g * 64);
        __m512bh w1 = (__m512bh)_mm512_loadu_si512(wp + g * 64 + 32);
#pragma GCC unroll 16
        for (int m = 0; m < M; m++) {
            int32_t xv;
            memcpy(&xv, x + (long)m * kpad + 2 * g, 4);
            __m512bh b = (__m512bh)_mm512_set1_epi32(xv);
            acc[m][0] = _mm512_dpbf16_ps(acc[m][0], b, w0);
            acc[m][1] = _mm512_dpbf16_ps(acc[m][1], b, w1);
        }
    }
#pragma GCC unroll 2
    for (int v = 0; v < 2; v++) {
        int c = col0 + 16 * v;
        if (c >= out) break;
        __mmask16 mask = out - c >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (out - c)) - 1);
        __m512 b = _mm512_loadu_ps(bias + c);
#pragma GCC unroll 16
        for (int m = 0; m < M; m++) _mm512_mask_storeu_ps(y + (long)m * out + c, mask, _mm512_add_ps(acc[m][v], b));
    }
}

SB_EXPORT SB_BF16 void sb_bf16_linear(const uint16_t* xb, int r0, int r1, int kpad, const uint16_t* w,
                                      const float* bias, int out, int p0, int p1, float* y) {
    long panelElems = (long)kpad * NR;
    for (int p = p0; p < p1; p++) {
        const uint16_t* wp = w + p * panelElems;
        int col0 = p * NR;
        int r = r0;
        for (; r + MR <= r1; r += MR) bf16_tile<MR>(xb + (long)r * kpad, kpad, wp, bias, col0, out, y + (long)r * out);
        const uint16_t* xr = xb + (long)r * kpad;
        float* yr = y + (long)r * out;
        switch (r1 - r) {
            case 0: break;
            case 1: bf16_tile<1>(xr, kpad, wp, bias, col0, out, yr); break;
            case 2: bf16_tile<2>(xr, kpad, wp, bias, col0, out, yr); break;
            case 3: bf16_tile<3>(xr, kpad, wp, bias, col0, out, yr); break;
            case 4: bf16_tile<4>(xr, kpad, wp, bias, col0, out, yr); break;
            case 5: bf16_tile<5>(xr, kpad, wp, bias, col0, out, yr); break;
            case 6: bf16_tile<6>(xr, kpad, wp, bias, col0, out, yr); break;
            case 7: bf16_tile<7>(xr, kpad, wp, bias, col0, out, yr); break;
            case 8: bf16_tile<8>(xr, kpad, wp, bias, col0, out, yr); break;
            case 9: bf16_tile<9>(xr, kpad, wp, bias, col0, out, yr); break;
            case 10: bf16_tile<10>(xr, kpad, wp, bias, col0, out, yr); break;
            default: bf16_tile<11>(xr, kpad, wp, bias, col0, out, yr); break;
        }
    }
}

// ---------------------------------------------------------------------------------------------------- peaks

// Named accumulators (an array of vectors makes g++ 12 spill them to the stack inside the loop).
#define SB_24(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) \
                 X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)

SB_EXPORT SB_VNNI long sb_peak_int8(long iterations) {
#define SB_DECL(i) __m512i acc##i = _mm512_set1_epi32(i);
// the instruction by hand: with the intrinsic, g++ 12 copies every accumulator to the stack on each iteration
#define SB_STEP(i) __asm__("vpdpbusd %2, %1, %0" : "+v"(acc##i) : "v"(a), "v"(b));
#define SB_SUM(i) s = _mm512_add_epi32(s, acc##i);
    SB_24(SB_DECL)
    __m512i a = _mm512_set1_epi32(0x01010101), b = _mm512_set1_epi32(0x01ff01ff);
    for (long it = 0; it < iterations; it++) {
        SB_24(SB_STEP)
        __asm__ volatile("" : "+v"(a));
    }
    __m512i s = _mm512_setzero_si512();
    SB_24(SB_SUM)
    return _mm512_reduce_add_epi32(s);
#undef SB_DECL
#undef SB_STEP
#undef SB_SUM
}

SB_EXPORT SB_BF16 double sb_peak_bf16(long iterations) {
#define SB_DECL(i) __m512 acc##i = _mm512_set1_ps((float)i);
#define SB_STEP(i) acc##i = _mm512_dpbf16_ps(acc##i, a, b);
#define SB_SUM(i) s = _mm512_add_ps(s, acc##i);
    SB_24(SB_DECL)
    __m512bh a = (__m512bh)_mm512_set1_epi32(0x3f803f80), b = (__m512bh)_mm512_set1_epi32(0x3c003c00);
    for (long it = 0; it < iterations; it++) {
        SB_24(SB_STEP)
        __asm__ volatile("" : "+v"(a));
    }
    __m512 s = _mm512_setzero_ps();
    SB_24(SB_SUM)
    return _mm512_reduce_add_ps(s);
#undef SB_DECL
#undef SB_STEP
#undef SB_SUM
}
