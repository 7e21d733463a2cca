// sb_emu_gemm.cpp: what the emulated device offers in cuBLAS's place. NOT a kernel under test and not run by the
// SIMT emulator: a plain host function, so the GPU encoder's matrix products (which cuBLAS does on a real GPU, see
// CublasGemm) can run on EmulatedDevice at all. Same contract as CublasGemm / GemmReference (test scope):
//   C[rows, out] = A[rows, k] (bf16) x W[out, k]^T (bf16) (+ bias[out] fp32), products and sums in fp32,
//   the bias added in fp32, then one rounding to the output type (bf16 round-to-nearest-even, or kept fp32), or
//   (mode 2, Gemm.Output.FP32_ADD) the fp32 value added to C's old value: C += A W^T + bias, as cuBLAS with beta = 1.
// Sums run in k order per output element (cuBLAS's order is its own; the difference is fp32 rounding noise).
// Work is split over `threads` std::threads by output columns; each converts its slice of W to fp32 once.
#include <cstdint>
#include <cstring>
#include <cmath>
#include <thread>
#include <vector>
#include <algorithm>

namespace {

inline float bf16_to_f32(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// round to nearest, ties to even; NaN stays a quiet NaN (as __float2bfloat16_rn and Java's Bf16.fromFloat)
inline uint16_t f32_to_bf16(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x0040u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

void columns(const float* a, const uint16_t* w, const float* bias, void* c, int rows, int out, int k, int mode,
             int col0, int col1) {
    std::vector<float> ws((size_t)(col1 - col0) * k);
    for (int j = col0; j < col1; j++)
        for (int i = 0; i < k; i++) ws[(size_t)(j - col0) * k + i] = bf16_to_f32(w[(size_t)j * k + i]);
    for (int r = 0; r < rows; r++) {
        const float* ar = a + (size_t)r * k;
        for (int j = col0; j < col1; j++) {
            const float* wj = ws.data() + (size_t)(j - col0) * k;
            float s = 0.0f;
            for (int i = 0; i < k; i++) s += ar[i] * wj[i];   // fp32 products and sum, k order
            if (bias) s += bias[j];
            size_t at = (size_t)r * out + j;
            if (mode == 1) ((uint16_t*)c)[at] = f32_to_bf16(s);
            else if (mode == 2) ((float*)c)[at] += s;
            else ((float*)c)[at] = s;
        }
    }
}

}  // namespace

// mode: 0 fp32 C, 1 bf16 C, 2 fp32 C += product. Returns 0, or 1 for a bad argument (nothing written).
// threads <= 0: one per core.
extern "C" __attribute__((visibility("default"))) int sb_emu_gemm_bf16(const uint16_t* a, const uint16_t* w,
        const float* bias, void* c, int rows, int out, int k, int mode, int threads) {
    if (rows < 0 || out < 0 || k < 0 || mode < 0 || mode > 2 || !a || !w || !c) return 1;
    if (rows == 0 || out == 0) return 0;
    std::vector<float> af((size_t)rows * k);
    for (size_t i = 0; i < af.size(); i++) af[i] = bf16_to_f32(a[i]);
    int n = threads > 0 ? threads : (int)std::max(1u, std::thread::hardware_concurrency());
    n = std::max(1, std::min(n, out));
    if (n == 1) {
        columns(af.data(), w, bias, c, rows, out, k, mode, 0, out);
        return 0;
    }
    std::vector<std::thread> pool;
    for (int t = 0; t < n; t++) {
        int c0 = (int)((long long)out * t / n), c1 = (int)((long long)out * (t + 1) / n);
        pool.emplace_back(columns, af.data(), w, bias, c, rows, out, k, mode, c0, c1);
    }
    for (auto& th : pool) th.join();
    return 0;
}
