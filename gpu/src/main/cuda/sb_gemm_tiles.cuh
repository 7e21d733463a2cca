// sb_gemm_tiles.cuh: the tile shape of sb_gemm.cu, the one source of these numbers. The kernel includes this file;
// Java (io.streambert.gpu.kernels.GemmTiling) reads the same file from the classpath (cuda/src/sb_gemm_tiles.cuh) and
// parses the #define lines below, so launcher, tests and kernel cannot disagree. One "#define SB_GEMM_<NAME> <int>"
// per line; nothing else here.
#pragma once

#define SB_GEMM_BM 64       // rows of C per block
#define SB_GEMM_BN 64       // columns of C (rows of W) per block
#define SB_GEMM_BK 32       // k per shared-memory stage (a multiple of 16: one mma k-step is 16)
#define SB_GEMM_WARPS_M 2   // warps along the rows; each warp owns BM / WARPS_M rows (a multiple of 16)
#define SB_GEMM_WARPS_N 2   // warps along the columns; each warp owns BN / WARPS_N columns (a multiple of 8)
#define SB_GEMM_PAD 8       // bf16 padding per shared-memory row (keeps rows 16-byte aligned, staggers the banks)
