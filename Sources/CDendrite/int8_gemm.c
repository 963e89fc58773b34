// Integer GEMM for int8 inference: C[m, n] = Σ_k A[m, k]·B[n, k] with A unsigned 8-bit
// (activations, 0…127: PyTorch's reduce_range on x86, so that AVX2's pairwise u8·s8 products
// cannot saturate their 16-bit sums), B signed 8-bit (weights, one row per output channel, as a
// Linear's [out, in] weight) and C 32-bit. Three versions: the naive reference loop, an AVX2
// kernel (vpmaddubsw + vpmaddwd) and an AVX-VNNI kernel (vpdpbusd) on packed weights, chosen at run time.
#include "CDendrite.h"
// Rescaling is a multiply then an add, never fused: every path rounds the same way.
#pragma clang fp contract(off)
#include <immintrin.h>
#include <math.h>
#include <string.h>

void dd_gemm_u8s8s32_naive(int64_t m, int64_t n, int64_t k, const uint8_t *a, int64_t lda, const int8_t *b, int64_t ldb,
                           int32_t *c, int64_t ldc) {
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            int64_t sum = 0;
            for (int64_t p = 0; p < k; p++) sum += (int64_t)a[i * lda + p] * (int64_t)b[j * ldb + p];
            c[i * ldc + j] = (int32_t)sum;
        }
    }
}

// AVX2: u8·s8 pairs summed to 16 bits (no saturation for u8 ≤ 127), then pairs of those to 32.
#define DD_MAC_AVX2(acc, x, w) acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w), ones))
// AVX-VNNI: four u8·s8 products summed straight into each 32-bit lane; the same instruction in
// its AVX-512 encoding (AVX512-VNNI + VL, on 256-bit registers) where only that one exists (Zen 4).
#define DD_MAC_VNNI(acc, x, w) acc = _mm256_dpbusd_avx_epi32(acc, x, w)
#define DD_MAC_VNNI512(acc, x, w) acc = _mm256_dpbusd_epi32(acc, x, w)

static int dd_has_avx512_vnni(void) {
    return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl");
}


int dd_int8_gemm_path(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && (__builtin_cpu_supports("avxvnni") || dd_has_avx512_vnni())) return 2;
    if (__builtin_cpu_supports("avx2")) return 1;
    return 0;
}

DD_HOT void dd_quantize_u7(const float *restrict x, int64_t n, float inverse_scale, float zero, uint8_t *restrict out) {
    for (int64_t i = 0; i < n; i++) {
        float q = nearbyintf(x[i] * inverse_scale) + zero;
        q = q < 0.0f ? 0.0f : (q > 127.0f ? 127.0f : q);
        out[i] = (uint8_t)q;
    }
}

DD_HOT void dd_int8_dequantize(const int32_t *restrict c, int64_t rows, int64_t columns, float scale, int32_t zero,
                               const float *restrict channel_scales, const int32_t *restrict row_sums,
                               const float *restrict bias, float *restrict y) {
    for (int64_t i = 0; i < rows; i++) {
        for (int64_t j = 0; j < columns; j++) {
            const int32_t integer = c[i * columns + j] - zero * row_sums[j];
            y[i * columns + j] = scale * channel_scales[j] * (float)integer + (bias ? bias[j] : 0.0f);
        }
    }
}

// ---- Packed weights: no horizontal sums. B [n, k] is stored in blocks of 16 output columns;
// within a block, for every 4 consecutive k, the 16 columns' 4 bytes side by side (64 bytes),
// zero-padded to n16 = ⌈n/16⌉·16 columns and k4 = ⌈k/4⌉·4. One vpdpbusd (or vpmaddubsw +
// vpmaddwd) of 4 broadcast bytes of an A row against 32 packed bytes then adds 4 products into
// each of 8 columns' lanes.

int64_t dd_int8_packed_size(int64_t n, int64_t k) { return ((n + 15) / 16 * 16) * ((k + 3) / 4 * 4); }

void dd_int8_pack_b(const int8_t *b, int64_t n, int64_t k, int8_t *packed) {
    const int64_t k4 = (k + 3) / 4 * 4, n16 = (n + 15) / 16 * 16;
    memset(packed, 0, (size_t)(n16 * k4));
    for (int64_t j = 0; j < n; j++) {
        const int64_t block = j / 16, column = j % 16;
        for (int64_t p = 0; p < k; p++) packed[block * 16 * k4 + (p / 4) * 64 + column * 4 + p % 4] = b[j * k + p];
    }
}

// Rows of A per tile: 6 rows × 16 columns keep 12 accumulators, 2 weight vectors and the
// broadcast in the 16 vector registers.
#define DD_ROWS 6

// Row tiles per group: with an epilogue, a group's rescaled rows (8 tiles of 6) wait in a small
// row-major buffer and then go out column by column as runs of 48 floats — one plane of the
// NCHW output per output channel — instead of 6-float pieces.
#define DD_GROUP (8 * DD_ROWS)

// The tile's results: int32 into C, or — with an epilogue — rescaled to floats (8 lanes at a
// time) into the group buffer, so the int32 product never goes to memory.
#define DD_STORE_TILE(acc, i, rows, j, cols, c, ldc, epilogue, staged)                                            \
    if (!epilogue) {                                                                                              \
        for (int64_t r = 0; r < rows; r++) {                                                                      \
            if (cols == 16) {                                                                                     \
                _mm256_storeu_si256((__m256i *)(c + (i + r) * ldc + j), acc[r][0]);                               \
                _mm256_storeu_si256((__m256i *)(c + (i + r) * ldc + j + 8), acc[r][1]);                           \
                continue;                                                                                         \
            }                                                                                                     \
            int32_t lanes[16];                                                                                    \
            _mm256_storeu_si256((__m256i *)lanes, acc[r][0]);                                                     \
            _mm256_storeu_si256((__m256i *)(lanes + 8), acc[r][1]);                                               \
            memcpy(c + (i + r) * ldc + j, lanes, (size_t)cols * sizeof(int32_t));                                 \
        }                                                                                                         \
    } else {                                                                                                      \
        for (int half = 0; half < 2; half++) {                                                                    \
            const __m256 factor = _mm256_loadu_ps(epilogue->factors + j + 8 * half);                              \
            const __m256 offset = _mm256_loadu_ps(epilogue->offsets + j + 8 * half);                              \
            const __m256i correction = _mm256_loadu_si256((const __m256i *)(epilogue->corrections + j + 8 * half)); \
            for (int64_t r = 0; r < rows; r++) {                                                                  \
                __m256 value = _mm256_cvtepi32_ps(_mm256_sub_epi32(acc[r][half], correction));                    \
                value = _mm256_add_ps(_mm256_mul_ps(factor, value), offset);                                      \
                if (epilogue->relu) value = _mm256_max_ps(value, _mm256_setzero_ps());                            \
                _mm256_storeu_ps(staged[r] + 8 * half, value);                                                    \
            }                                                                                                     \
        }                                                                                                         \
    }

#define DD_PACKED_KERNEL(NAME, TARGET, MAC)                                                                       \
__attribute__((target(TARGET))) static void NAME(int64_t m, int64_t n, int64_t k4, const uint8_t *a, int64_t lda, \
                                                 const int8_t *packed, int32_t *c, int64_t ldc,                   \
                                                 const dd_int8_epilogue *epilogue) {                              \
    const __m256i ones = _mm256_set1_epi16(1);                                                                    \
    (void)ones;                                                                                                   \
    float group[DD_GROUP][16];                                                                                    \
    for (int64_t g0 = 0; g0 < m; g0 += DD_GROUP) {                                                                \
        const int64_t g1 = m - g0 < DD_GROUP ? m : g0 + DD_GROUP;                                                 \
        for (int64_t j = 0; j < n; j += 16) {                                                                     \
            const int8_t *block = packed + (j / 16) * 16 * k4;                                                    \
            const int64_t cols = n - j < 16 ? n - j : 16;                                                         \
            for (int64_t i = g0; i < g1; i += DD_ROWS) {                                                          \
                const int64_t rows = g1 - i < DD_ROWS ? g1 - i : DD_ROWS;                                         \
                const uint8_t *ar[DD_ROWS];                                                                       \
                for (int r = 0; r < DD_ROWS; r++) ar[r] = a + (i + (r < rows ? r : 0)) * lda;                     \
                __m256i acc[DD_ROWS][2];                                                                          \
                for (int r = 0; r < DD_ROWS; r++) { acc[r][0] = _mm256_setzero_si256(); acc[r][1] = _mm256_setzero_si256(); } \
                for (int64_t p = 0; p < k4; p += 4) {                                                             \
                    const __m256i w0 = _mm256_loadu_si256((const __m256i *)(block + p * 16));                     \
                    const __m256i w1 = _mm256_loadu_si256((const __m256i *)(block + p * 16 + 32));                \
                    for (int r = 0; r < DD_ROWS; r++) {                                                           \
                        int32_t word;                                                                             \
                        memcpy(&word, ar[r] + p, sizeof word);                                                    \
                        const __m256i x = _mm256_set1_epi32(word);                                                \
                        MAC(acc[r][0], x, w0);                                                                    \
                        MAC(acc[r][1], x, w1);                                                                    \
                    }                                                                                             \
                }                                                                                                 \
                DD_STORE_TILE(acc, i, rows, j, cols, c, ldc, epilogue, (group + (i - g0)))                        \
            }                                                                                                     \
            if (epilogue) {                                                                                       \
                for (int64_t column = 0; column < cols; column++) {                                               \
                    float *plane = epilogue->y + (j + column) * epilogue->pixels + g0;                            \
                    for (int64_t r = 0; r < g1 - g0; r++) plane[r] = group[r][column];                            \
                }                                                                                                 \
            }                                                                                                     \
        }                                                                                                         \
    }                                                                                                             \
}

DD_PACKED_KERNEL(dd_gemm_packed_avx2, "avx2", DD_MAC_AVX2)
DD_PACKED_KERNEL(dd_gemm_packed_vnni, "avx2,avxvnni", DD_MAC_VNNI)
DD_PACKED_KERNEL(dd_gemm_packed_vnni512, "avx2,avx512vnni,avx512vl", DD_MAC_VNNI512)

static void dd_gemm_packed(int64_t m, int64_t n, int64_t k, const uint8_t *a, int64_t lda, const int8_t *packed,
                           int32_t *c, int64_t ldc, const dd_int8_epilogue *epilogue, int path) {
    const int64_t k4 = (k + 3) / 4 * 4;
    if (path == 2 && __builtin_cpu_supports("avxvnni")) dd_gemm_packed_vnni(m, n, k4, a, lda, packed, c, ldc, epilogue);
    else if (path == 2) dd_gemm_packed_vnni512(m, n, k4, a, lda, packed, c, ldc, epilogue);
    else dd_gemm_packed_avx2(m, n, k4, a, lda, packed, c, ldc, epilogue);
}

void dd_gemm_u8s8s32_packed(int64_t m, int64_t n, int64_t k, const uint8_t *a, int64_t lda, const int8_t *packed,
                            int32_t *c, int64_t ldc, int path) {
    dd_gemm_packed(m, n, k, a, lda, packed, c, ldc, NULL, path);
}

void dd_gemm_u8s8_packed_to_planes(int64_t m, int64_t n, int64_t k, const uint8_t *a, int64_t lda, const int8_t *packed,
                                   const dd_int8_epilogue *epilogue, int path) {
    dd_gemm_packed(m, n, k, a, lda, packed, NULL, 0, epilogue, path);
}

DD_HOT void dd_min_max(const float *restrict x, int64_t n, float *low, float *high) {
    float lo = 0.0f, hi = 0.0f;   // the range always includes 0 (a zero point exists)
    for (int64_t i = 0; i < n; i++) {
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    *low = lo;
    *high = hi;
}
