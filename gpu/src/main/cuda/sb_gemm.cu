// sb_gemm.cu: our own tiled bf16 GEMM on the tensor cores (mma.sync m16n8k16), the fallback when no cuBLAS loads.
//
// Math (the Gemm contract, io.streambert.gpu.device.Gemm):
//   v[r, j] = sum_i A[r, i] * W[j, i]  (+ bias[j] when has_bias)       fp32 products and sums
//   c_bf16 != 0:  C[r, j] = bf16(v[r, j])                              one rounding, to nearest even
//   c_bf16 == 0:  C[r, j] = v[r, j]            (accumulate == 0)       fp32
//                 C[r, j] = C[r, j] + v[r, j]  (accumulate != 0)       fp32, e.g. straight into the residual stream
// Shapes (row-major, dense): A [rows, k] bf16, W [out, k] bf16 (a Linear's weight as stored), bias [out] fp32,
//   C [rows, out] bf16 or fp32. Any rows >= 1, out >= 1, k >= 1: edges are zero-filled in shared memory and masked on
//   store. 16-byte loads are used when k is a multiple of 8 and A, W are 16-byte aligned; element loads otherwise.
// Tiling (sb_gemm_tiles.cuh, read by io.streambert.gpu.kernels.GemmTiling as well):
//   block = WARPS_M x WARPS_N warps, owns a BM x BN tile of C: blockIdx.x = column tile, blockIdx.y = row tile.
//   Each warp owns (BM / WARPS_M) x (BN / WARPS_N) of it: MT x NT mma tiles of 16 x 8, fp32 accumulators in registers.
//   k advances BK at a time through static shared memory As [BM][BK + PAD], Ws [BN][BK + PAD] (bf16).
// Fragment layouts: as sb_attention.cu (PTX ISA, mma.m16n8k16 .bf16): A fragments are As rows (row-major A),
//   B fragments are Ws rows: B's element (k, n) is W[n, k], and b[0] = (k = 2t..2t+1, n = g) are two adjacent bf16
//   of W's row n, so W needs no transpose.
#include "sb_portable.cuh"
#include "sb_gemm_tiles.cuh"

namespace sb_gemm {

constexpr int BM = SB_GEMM_BM, BN = SB_GEMM_BN, BK = SB_GEMM_BK, PAD = SB_GEMM_PAD;
constexpr int WARPS_M = SB_GEMM_WARPS_M, WARPS_N = SB_GEMM_WARPS_N, THREADS = 32 * WARPS_M * WARPS_N;
constexpr int WM = BM / WARPS_M, WN = BN / WARPS_N;   // one warp's part of the block tile
constexpr int MT = WM / 16, NT = WN / 8, KSTEPS = BK / 16;
constexpr int STRIDE = BK + PAD;                       // shared row stride in bf16
static_assert(BK % 16 == 0 && WM % 16 == 0 && WN % 8 == 0 && BM % WARPS_M == 0 && BN % WARPS_N == 0, "tile shape");
static_assert((STRIDE * 2) % 16 == 0, "shared rows must stay 16-byte aligned");

struct __align__(16) Vec16 { uint32_t x, y, z, w; };

__device__ __forceinline__ uint32_t word(const __nv_bfloat16* p) { return *reinterpret_cast<const uint32_t*>(p); }

// Rows [row0, row0 + ROWS) x columns [k0, k0 + BK) of src [nrows, k] into dst [ROWS][STRIDE], zero outside src.
template <int ROWS>
__device__ __forceinline__ void load_tile(const __nv_bfloat16* __restrict__ src, __nv_bfloat16* dst, int row0, int nrows,
                                          int k0, int k, bool vec) {
    for (int idx = threadIdx.x; idx < ROWS * (BK / 8); idx += THREADS) {
        const int r = idx / (BK / 8), c = (idx % (BK / 8)) * 8;
        const int gr = row0 + r, gc = k0 + c;
        Vec16 v = {0u, 0u, 0u, 0u};
        if (gr < nrows) {
            const __nv_bfloat16* p = src + (size_t)gr * k + gc;
            if (vec && gc + 8 <= k) {
                v = *reinterpret_cast<const Vec16*>(p);
            } else {
                uint16_t e[8];
                #pragma unroll
                for (int i = 0; i < 8; i++) e[i] = gc + i < k ? reinterpret_cast<const uint16_t*>(p)[i] : (uint16_t)0;
                v.x = e[0] | ((uint32_t)e[1] << 16);
                v.y = e[2] | ((uint32_t)e[3] << 16);
                v.z = e[4] | ((uint32_t)e[5] << 16);
                v.w = e[6] | ((uint32_t)e[7] << 16);
            }
        }
        *reinterpret_cast<Vec16*>(dst + r * STRIDE + c) = v;
    }
}

}  // namespace sb_gemm

SB_KERNEL void __launch_bounds__(sb_gemm::THREADS)
sb_gemm_bf16(const __nv_bfloat16* __restrict__ a, const __nv_bfloat16* __restrict__ w, const float* __restrict__ bias,
             int has_bias, void* c, int c_bf16, int accumulate, int rows, int out, int k) {
    using namespace sb_gemm;
    __shared__ __align__(16) __nv_bfloat16 As[BM * STRIDE];
    __shared__ __align__(16) __nv_bfloat16 Ws[BN * STRIDE];

    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
    const int wm0 = (warp / WARPS_N) * WM, wn0 = (warp % WARPS_N) * WN;
    const bool vec = k % 8 == 0 && ((uintptr_t)a & 15) == 0 && ((uintptr_t)w & 15) == 0;

    float acc[MT][NT][4];
    #pragma unroll
    for (int mt = 0; mt < MT; mt++)
        #pragma unroll
        for (int nt = 0; nt < NT; nt++) acc[mt][nt][0] = acc[mt][nt][1] = acc[mt][nt][2] = acc[mt][nt][3] = 0.f;

    for (int k0 = 0; k0 < k; k0 += BK) {
        __syncthreads();   // the previous stage is no longer read
        load_tile<BM>(a, As, m0, rows, k0, k, vec);
        load_tile<BN>(w, Ws, n0, out, k0, k, vec);
        __syncthreads();
        #pragma unroll
        for (int ks = 0; ks < KSTEPS; ks++) {
            const int col = ks * 16 + 2 * t;
            uint32_t af[MT][4], bf[NT][2];
            #pragma unroll
            for (int mt = 0; mt < MT; mt++) {
                const __nv_bfloat16* r0 = As + (wm0 + mt * 16 + g) * STRIDE + col;
                af[mt][0] = word(r0);
                af[mt][1] = word(r0 + 8 * STRIDE);
                af[mt][2] = word(r0 + 8);
                af[mt][3] = word(r0 + 8 * STRIDE + 8);
            }
            #pragma unroll
            for (int nt = 0; nt < NT; nt++) {
                const __nv_bfloat16* n = Ws + (wn0 + nt * 8 + g) * STRIDE + col;
                bf[nt][0] = word(n);
                bf[nt][1] = word(n + 8);
            }
            #pragma unroll
            for (int mt = 0; mt < MT; mt++)
                #pragma unroll
                for (int nt = 0; nt < NT; nt++) sb_mma_m16n8k16_bf16(acc[mt][nt], af[mt], bf[nt], acc[mt][nt]);
        }
    }

    // Epilogue: thread holds C rows (g, g + 8) x columns (2t, 2t + 1) of every 16 x 8 tile.
    #pragma unroll
    for (int mt = 0; mt < MT; mt++) {
        #pragma unroll
        for (int nt = 0; nt < NT; nt++) {
            #pragma unroll
            for (int e = 0; e < 4; e++) {
                const int r = m0 + wm0 + mt * 16 + g + (e >= 2 ? 8 : 0);
                const int j = n0 + wn0 + nt * 8 + 2 * t + (e & 1);
                if (r >= rows || j >= out) continue;
                float v = acc[mt][nt][e];
                if (has_bias) v += bias[j];
                const size_t at = (size_t)r * out + j;
                if (c_bf16) {
                    reinterpret_cast<__nv_bfloat16*>(c)[at] = __float2bfloat16_rn(v);
                } else if (accumulate) {
                    reinterpret_cast<float*>(c)[at] += v;
                } else {
                    reinterpret_cast<float*>(c)[at] = v;
                }
            }
        }
    }
}
SB_REGISTER_KERNEL(sb_gemm_bf16);
