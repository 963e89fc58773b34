// 8 × 8 float transpose in AVX registers, shared by the AVX-512 kernels (sgemm_avx512.c packs A
// with it, winograd_avx512.c reads eight filters at once). Include only from functions compiled
// with target("avx512f") (or AVX).
#ifndef DD_TRANSPOSE_H
#define DD_TRANSPOSE_H
#include <immintrin.h>

// Eight rows of eight floats → their eight columns (r[j] becomes element j of each row).
__attribute__((target("avx512f"), always_inline))
static inline void dd_transpose_8x8(__m256 r[8]) {
    __m256 t[8], u[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int h = 0; h < 2; h++) {   // rows 0–3 (h = 0) and 4–7 (h = 1)
        u[4 * h + 0] = _mm256_shuffle_ps(t[4 * h + 0], t[4 * h + 2], 0x44);
        u[4 * h + 1] = _mm256_shuffle_ps(t[4 * h + 0], t[4 * h + 2], 0xEE);
        u[4 * h + 2] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0x44);
        u[4 * h + 3] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0xEE);
    }
    for (int j = 0; j < 4; j++) {
        r[j] = _mm256_permute2f128_ps(u[j], u[4 + j], 0x20);
        r[4 + j] = _mm256_permute2f128_ps(u[j], u[4 + j], 0x31);
    }
}
#endif
