// Winograd F(2×2, 3×3) with AVX-512: the arithmetic of winograd.c — whose scalar functions are the
// reference twin these are tested against — with the filters and input tiles written straight
// into the packed operands of the AVX-512 GEMM (sgemm_avx512.c), so the 16 products skip packing:
//   filters: eight output channels' 3×3 kernels at a time (an 8 × 8 transpose of their taps),
//            each transformed value stored as eight consecutive floats of a packed U[ξ] [k, c];
//   inputs:  a tile row's 4 input rows loaded 16 + 16 floats at a time (masked at the padding and
//            image edges) and split into the even and odd columns that start each of 16 tiles,
//            each transformed value stored as up to 16 consecutive columns of a packed V[ξ] [c, P];
//   outputs: M[ξ] [k, P] as the GEMM leaves it; the 16 products of 16 tiles read as 16 vectors,
//            each output row's two values per tile interleaved back into 32 consecutive pixels.
// Work is split by 8-channel panels or planes (image × channel), so one image uses every core.
#include "CDendrite.h"

#include "transpose.h"

#include <immintrin.h>
#include <stdint.h>

int dd_winograd_avx512_available(void) {
    return __builtin_cpu_supports("avx512f") != 0;
}

// The first `count` lanes (0 ≤ count ≤ 16).
static inline __mmask16 first_lanes(int64_t count) {
    if (count >= 16) return (__mmask16)0xFFFF;
    if (count <= 0) return 0;
    return (__mmask16)((1u << count) - 1u);
}

// row[start ..< start + 16], zero where the index falls outside 0 ..< width. Masked-off lanes are
// neither read nor able to fault, so `start` may lie before the row or run past its end.
__attribute__((target("avx512f")))
static inline __m512 load_clipped(const float *row, int64_t start, int64_t width) {
    if (start >= 0 && start + 16 <= width) return _mm512_loadu_ps(row + start);
    int64_t first = start < 0 ? -start : 0, end = width - start;
    if (end > 16) end = 16;
    if (end <= first) return _mm512_setzero_ps();
    __mmask16 mask = (__mmask16)(first_lanes(end) & ~first_lanes(first));
    return _mm512_maskz_loadu_ps(mask, (const float *)((uintptr_t)row + (uintptr_t)(start * (int64_t)sizeof(float))));
}

__attribute__((target("avx512f")))
void dd_winograd_filters_packed(const float *w, int64_t k, int64_t c, int64_t panel_first, int64_t panel_count, float *u) {
    const int64_t size = dd_sgemm_avx512_packed_a_size(k, c);
    const __m256 half = _mm256_set1_ps(0.5f), zero = _mm256_setzero_ps();
    for (int64_t panel = panel_first; panel < panel_first + panel_count; panel++) {
        const int64_t o0 = panel * DD_SGEMM_MR, rows = k - o0 < DD_SGEMM_MR ? k - o0 : DD_SGEMM_MR;
        for (int64_t i = 0; i < c; i++) {
            // Eight output channels' 3×3 kernels for input channel i: their first eight taps
            // through a transpose, the ninth one by one; rows past k read as zeros.
            __m256 g[9];
            float ninth[8] = {0};
            for (int r = 0; r < 8; r++) {
                const float *kernel = w + ((o0 + r) * c + i) * 9;
                g[r] = r < rows ? _mm256_loadu_ps(kernel) : zero;
                if (r < rows) ninth[r] = kernel[8];
            }
            dd_transpose_8x8(g);
            g[8] = _mm256_loadu_ps(ninth);
            __m256 t[4][3];   // G g: 4×3
            for (int j = 0; j < 3; j++) {
                const __m256 sum = _mm256_add_ps(g[j], g[6 + j]);
                t[0][j] = g[j];
                t[1][j] = _mm256_mul_ps(half, _mm256_add_ps(sum, g[3 + j]));
                t[2][j] = _mm256_mul_ps(half, _mm256_sub_ps(sum, g[3 + j]));
                t[3][j] = g[6 + j];
            }
            float *out = u + dd_sgemm_packed_a_index(k, c, o0, i);
            for (int r = 0; r < 4; r++) {   // (G g) Gᵀ: 4×4, eight consecutive floats of each packed U
                const __m256 sum = _mm256_add_ps(t[r][0], t[r][2]);
                _mm256_storeu_ps(out + (r * 4 + 0) * size, t[r][0]);
                _mm256_storeu_ps(out + (r * 4 + 1) * size, _mm256_mul_ps(half, _mm256_add_ps(sum, t[r][1])));
                _mm256_storeu_ps(out + (r * 4 + 2) * size, _mm256_mul_ps(half, _mm256_sub_ps(sum, t[r][1])));
                _mm256_storeu_ps(out + (r * 4 + 3) * size, t[r][2]);
            }
        }
    }
}

__attribute__((target("avx512f")))
void dd_winograd_inputs_packed(const float *x, int64_t n, int64_t c, int64_t h, int64_t w, int64_t pad_h, int64_t pad_w,
                               int64_t tiles_h, int64_t tiles_w, int64_t row_first, int64_t row_count, float *v) {
    const int64_t tiles = tiles_h * tiles_w, p_total = n * tiles, size = dd_sgemm_avx512_packed_b_size(c, p_total);
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
    const __m512i lanes = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    // Tile rows outside, channels inside: consecutive channels are consecutive rows of the same
    // packed panels, so each of the 16 outputs is written as one sequential stream (one channel at a
    // time would touch a new page for every panel).
    for (int64_t unit = row_first; unit < row_first + row_count; unit++) {
        const int64_t b = unit / tiles_h, th = unit % tiles_h;
        for (int64_t tw0 = 0; tw0 < tiles_w; tw0 += 16) {
            for (int64_t i = 0; i < c; i++) {
                const float *plane = x + (b * c + i) * h * w;
                const int64_t count = tiles_w - tw0 < 16 ? tiles_w - tw0 : 16;
                const int64_t x0 = 2 * tw0 - pad_w;
                __m512 d[4][4];   // d[r][s]: row r, column s of each of the 16 tiles
                for (int r = 0; r < 4; r++) {
                    const int64_t yy = 2 * th - pad_h + r;
                    if (yy < 0 || yy >= h) {
                        d[r][0] = d[r][1] = d[r][2] = d[r][3] = _mm512_setzero_ps();
                        continue;
                    }
                    const float *row = plane + yy * w;
                    const __m512 a = load_clipped(row, x0, w), a2 = load_clipped(row, x0 + 16, w);
                    const __m512 s = load_clipped(row, x0 + 2, w), s2 = load_clipped(row, x0 + 18, w);
                    d[r][0] = _mm512_permutex2var_ps(a, even, a2);
                    d[r][1] = _mm512_permutex2var_ps(a, odd, a2);
                    d[r][2] = _mm512_permutex2var_ps(s, even, s2);
                    d[r][3] = _mm512_permutex2var_ps(s, odd, s2);
                }
                __m512 t[4][4];   // Bᵀ d
                for (int s = 0; s < 4; s++) {
                    t[0][s] = _mm512_sub_ps(d[0][s], d[2][s]);
                    t[1][s] = _mm512_add_ps(d[1][s], d[2][s]);
                    t[2][s] = _mm512_sub_ps(d[2][s], d[1][s]);
                    t[3][s] = _mm512_sub_ps(d[1][s], d[3][s]);
                }
                __m512 e[16];   // (Bᵀ d) B
                for (int r = 0; r < 4; r++) {
                    e[r * 4 + 0] = _mm512_sub_ps(t[r][0], t[r][2]);
                    e[r * 4 + 1] = _mm512_add_ps(t[r][1], t[r][2]);
                    e[r * 4 + 2] = _mm512_sub_ps(t[r][2], t[r][1]);
                    e[r * 4 + 3] = _mm512_sub_ps(t[r][1], t[r][3]);
                }
                // The 16 tiles are columns j ..< j + count of each packed V: up to the end of their
                // 48-column panel, and the rest at the start of the next one.
                const int64_t j = b * tiles + th * tiles_w + tw0, room = DD_SGEMM_NR - j % DD_SGEMM_NR;
                const int64_t here = count < room ? count : room;
                float *out = v + dd_sgemm_packed_b_index(c, p_total, i, j);
                for (int xi = 0; xi < 16; xi++) _mm512_mask_storeu_ps(out + xi * size, first_lanes(here), e[xi]);
                if (count > room) {
                    float *next = v + dd_sgemm_packed_b_index(c, p_total, i, j + room);
                    const __m512i shift = _mm512_add_epi32(lanes, _mm512_set1_epi32((int)room));
                    for (int xi = 0; xi < 16; xi++) {
                        _mm512_mask_storeu_ps(next + xi * size, first_lanes(count - room), _mm512_permutexvar_ps(shift, e[xi]));
                    }
                }
            }
        }
    }
}

__attribute__((target("avx512f")))
void dd_winograd_outputs_avx512(const float *m, int64_t n, int64_t k, int64_t out_h, int64_t out_w, int64_t tiles_h,
                                int64_t tiles_w, const float *scale, const float *bias, int relu, int64_t plane_first,
                                int64_t plane_count, float *y) {
    const int64_t tiles = tiles_h * tiles_w, p_total = n * tiles, stride = k * p_total;
    const __m512i low = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    const __m512i high = _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
    const __m512 zero = _mm512_setzero_ps();
    for (int64_t q = plane_first; q < plane_first + plane_count; q++) {
        const int64_t b = q / k, o = q % k;
        const __m512 offset = _mm512_set1_ps(bias ? bias[o] : 0.0f), factor = _mm512_set1_ps(scale ? scale[o] : 1.0f);
        float *plane = y + q * out_h * out_w;
        for (int64_t th = 0; th < tiles_h; th++) {
            for (int64_t tw0 = 0; tw0 < tiles_w; tw0 += 16) {
                const __mmask16 mask = first_lanes(tiles_w - tw0);
                const float *in = m + o * p_total + b * tiles + th * tiles_w + tw0;
                __m512 t[2][4];   // Aᵀ q
                for (int s = 0; s < 4; s++) {
                    const __m512 q0 = _mm512_maskz_loadu_ps(mask, in + (0 * 4 + s) * stride);
                    const __m512 q1 = _mm512_maskz_loadu_ps(mask, in + (1 * 4 + s) * stride);
                    const __m512 q2 = _mm512_maskz_loadu_ps(mask, in + (2 * 4 + s) * stride);
                    const __m512 q3 = _mm512_maskz_loadu_ps(mask, in + (3 * 4 + s) * stride);
                    t[0][s] = _mm512_add_ps(_mm512_add_ps(q0, q1), q2);
                    t[1][s] = _mm512_sub_ps(_mm512_sub_ps(q1, q2), q3);
                }
                const int64_t x0 = 2 * tw0, columns = out_w - x0 < 32 ? out_w - x0 : 32;
                for (int a = 0; a < 2; a++) {   // (Aᵀ q) A, one output row per a
                    const int64_t yy = 2 * th + a;
                    if (yy >= out_h) continue;
                    __m512 left = _mm512_fmadd_ps(_mm512_add_ps(_mm512_add_ps(t[a][0], t[a][1]), t[a][2]), factor, offset);
                    __m512 right = _mm512_fmadd_ps(_mm512_sub_ps(_mm512_sub_ps(t[a][1], t[a][2]), t[a][3]), factor, offset);
                    if (relu) {
                        left = _mm512_max_ps(left, zero);
                        right = _mm512_max_ps(right, zero);
                    }
                    float *row = plane + yy * out_w + x0;
                    _mm512_mask_storeu_ps(row, first_lanes(columns), _mm512_permutex2var_ps(left, low, right));
                    _mm512_mask_storeu_ps(row + 16, first_lanes(columns - 16), _mm512_permutex2var_ps(left, high, right));
                }
            }
        }
    }
}
