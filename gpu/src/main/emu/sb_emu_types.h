// sb_emu_types.h: bf16 and fp16 storage types with CUDA's names and conversion intrinsics, for the emulation build.
// Conversions to the narrow types round to nearest even (what __float2bfloat16 / __float2half do); arithmetic
// on them goes through float and rounds once, as the sm_80 instructions do for a single operation.
#pragma once
#include <stdint.h>
#include <string.h>

namespace sb_emu {
inline uint32_t f2u(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
inline float u2f(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
inline uint16_t f32_to_bf16_rne(float f) {
    uint32_t u = f2u(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x0040u);  // NaN stays a (quiet) NaN
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}
inline uint16_t f32_to_bf16_rz(float f) {
    uint32_t u = f2u(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x0040u);
    return (uint16_t)(u >> 16);
}
inline float bf16_to_f32(uint16_t h) { return u2f((uint32_t)h << 16); }
// IEEE binary16, round to nearest even, with subnormals; overflow to infinity.
inline uint16_t f32_to_f16_rne(float f) {
    uint32_t u = f2u(f);
    uint32_t sign = (u >> 16) & 0x8000u;
    uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u) return (uint16_t)(sign | 0x7e00u);
    if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u);  // >= 65520 rounds to infinity
    if (a < 0x38800000u) {                                      // below 2^-14: subnormal or zero
        if (a < 0x33000000u) return (uint16_t)sign;             // below 2^-25: rounds to zero
        // value = m * 2^(e - 150) with the 24-bit significand m; in units of the smallest subnormal, 2^-24, that
        // is m >> (126 - e), a shift of 14..24 here. A carry out of the top gives the smallest normal: correct.
        uint32_t m = (a & 0x007fffffu) | 0x00800000u;
        uint32_t shift = 126u - (a >> 23);
        uint32_t r = m >> shift;
        uint32_t rem = m & ((1u << shift) - 1u), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (r & 1u))) r++;
        return (uint16_t)(sign | r);
    }
    uint32_t r = ((a >> 13) - (112u << 10));
    uint32_t rem = a & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (r & 1u))) r++;
    return (uint16_t)(sign | r);
}
inline float f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
    if (e == 0x1fu) return u2f(sign | 0x7f800000u | (m << 13));
    if (e == 0) {
        if (m == 0) return u2f(sign);
        float v = (float)m * 5.9604644775390625e-08f;  // m * 2^-24
        return sign ? -v : v;
    }
    return u2f(sign | ((e + 112u) << 23) | (m << 13));
}
}  // namespace sb_emu

// Trivial default constructor on purpose: arrays of these may be __shared__ (thread_local) and must need no
// per-thread initialisation, like the CUDA types.
struct __align__(2) __nv_bfloat16 {
    uint16_t __x;
    __nv_bfloat16() = default;
    __nv_bfloat16(float f) : __x(::sb_emu::f32_to_bf16_rne(f)) {}
    __nv_bfloat16(double f) : __x(::sb_emu::f32_to_bf16_rne((float)f)) {}
    __nv_bfloat16(int i) : __x(::sb_emu::f32_to_bf16_rne((float)i)) {}
    operator float() const { return ::sb_emu::bf16_to_f32(__x); }
};
struct __align__(4) __nv_bfloat162 {
    __nv_bfloat16 x, y;
    __nv_bfloat162() = default;
    __nv_bfloat162(__nv_bfloat16 a, __nv_bfloat16 b) : x(a), y(b) {}
};
struct __align__(2) __half {
    uint16_t __x;
    __half() = default;
    __half(float f) : __x(::sb_emu::f32_to_f16_rne(f)) {}
    __half(double f) : __x(::sb_emu::f32_to_f16_rne((float)f)) {}
    __half(int i) : __x(::sb_emu::f32_to_f16_rne((float)i)) {}
    operator float() const { return ::sb_emu::f16_to_f32(__x); }
};
struct __align__(4) __half2 {
    __half x, y;
    __half2() = default;
    __half2(__half a, __half b) : x(a), y(b) {}
};
typedef __nv_bfloat16 nv_bfloat16;
typedef __nv_bfloat162 nv_bfloat162;
typedef __half half;
typedef __half2 half2;

static inline __nv_bfloat16 sb_emu_bf16_bits(uint16_t b) { __nv_bfloat16 h; h.__x = b; return h; }
static inline __half sb_emu_f16_bits(uint16_t b) { __half h; h.__x = b; return h; }

// bf16 conversions
static inline __nv_bfloat16 __float2bfloat16(float f) { return sb_emu_bf16_bits(::sb_emu::f32_to_bf16_rne(f)); }
static inline __nv_bfloat16 __float2bfloat16_rn(float f) { return sb_emu_bf16_bits(::sb_emu::f32_to_bf16_rne(f)); }
static inline __nv_bfloat16 __float2bfloat16_rz(float f) { return sb_emu_bf16_bits(::sb_emu::f32_to_bf16_rz(f)); }
static inline float __bfloat162float(__nv_bfloat16 h) { return ::sb_emu::bf16_to_f32(h.__x); }
static inline __nv_bfloat162 __floats2bfloat162_rn(float a, float b) { return __nv_bfloat162(__float2bfloat16(a), __float2bfloat16(b)); }
static inline __nv_bfloat162 __float22bfloat162_rn(float2 f) { return __floats2bfloat162_rn(f.x, f.y); }
static inline __nv_bfloat162 __float2bfloat162_rn(float f) { return __floats2bfloat162_rn(f, f); }
static inline float2 __bfloat1622float2(__nv_bfloat162 h) { return float2{__bfloat162float(h.x), __bfloat162float(h.y)}; }
static inline float __low2float(__nv_bfloat162 h) { return __bfloat162float(h.x); }
static inline float __high2float(__nv_bfloat162 h) { return __bfloat162float(h.y); }
static inline __nv_bfloat16 __low2bfloat16(__nv_bfloat162 h) { return h.x; }
static inline __nv_bfloat16 __high2bfloat16(__nv_bfloat162 h) { return h.y; }
static inline __nv_bfloat162 __halves2bfloat162(__nv_bfloat16 lo, __nv_bfloat16 hi) { return __nv_bfloat162(lo, hi); }
static inline __nv_bfloat162 __bfloat162bfloat162(__nv_bfloat16 h) { return __nv_bfloat162(h, h); }
static inline __nv_bfloat16 __ushort_as_bfloat16(unsigned short b) { return sb_emu_bf16_bits(b); }
static inline unsigned short __bfloat16_as_ushort(__nv_bfloat16 h) { return h.__x; }
static inline __nv_bfloat16 __hadd(__nv_bfloat16 a, __nv_bfloat16 b) { return __float2bfloat16((float)a + (float)b); }
static inline __nv_bfloat16 __hsub(__nv_bfloat16 a, __nv_bfloat16 b) { return __float2bfloat16((float)a - (float)b); }
static inline __nv_bfloat16 __hmul(__nv_bfloat16 a, __nv_bfloat16 b) { return __float2bfloat16((float)a * (float)b); }
static inline __nv_bfloat16 __hfma(__nv_bfloat16 a, __nv_bfloat16 b, __nv_bfloat16 c) {
    return __float2bfloat16(fmaf((float)a, (float)b, (float)c));
}
static inline __nv_bfloat16 __hmax(__nv_bfloat16 a, __nv_bfloat16 b) { return (float)a >= (float)b ? a : b; }
static inline __nv_bfloat16 __hmin(__nv_bfloat16 a, __nv_bfloat16 b) { return (float)a <= (float)b ? a : b; }

static inline __nv_bfloat162 __hadd2(__nv_bfloat162 a, __nv_bfloat162 b) { return __nv_bfloat162(__hadd(a.x, b.x), __hadd(a.y, b.y)); }
static inline __nv_bfloat162 __hmul2(__nv_bfloat162 a, __nv_bfloat162 b) { return __nv_bfloat162(__hmul(a.x, b.x), __hmul(a.y, b.y)); }
static inline __nv_bfloat162 __hfma2(__nv_bfloat162 a, __nv_bfloat162 b, __nv_bfloat162 c) {
    return __nv_bfloat162(__hfma(a.x, b.x, c.x), __hfma(a.y, b.y, c.y));
}

// fp16 conversions
static inline __half __float2half(float f) { return sb_emu_f16_bits(::sb_emu::f32_to_f16_rne(f)); }
static inline __half __float2half_rn(float f) { return sb_emu_f16_bits(::sb_emu::f32_to_f16_rne(f)); }
static inline float __half2float(__half h) { return ::sb_emu::f16_to_f32(h.__x); }
static inline __half2 __floats2half2_rn(float a, float b) { return __half2(__float2half(a), __float2half(b)); }
static inline __half2 __float22half2_rn(float2 f) { return __floats2half2_rn(f.x, f.y); }
static inline float2 __half22float2(__half2 h) { return float2{__half2float(h.x), __half2float(h.y)}; }
static inline float __low2float(__half2 h) { return __half2float(h.x); }
static inline float __high2float(__half2 h) { return __half2float(h.y); }
static inline __half __ushort_as_half(unsigned short b) { return sb_emu_f16_bits(b); }
static inline unsigned short __half_as_ushort(__half h) { return h.__x; }
static inline __half __hadd(__half a, __half b) { return __float2half((float)a + (float)b); }
static inline __half __hmul(__half a, __half b) { return __float2half((float)a * (float)b); }
