// Single-precision GEMM with AVX-512 for the convolutions: C[M, N] (+)= op(A)[M, K] · op(B)[K, N],
// row-major, op a transpose or not — the three products of an im2col convolution (weights ×
// columns forward, weightsᵀ × gradient for the input gradient, gradient × columnsᵀ for the weights').
//
// Why it exists beside OpenBLAS: where OPENBLAS_CORETYPE pins OpenBLAS 0.3.21 to its Haswell
// (AVX2) kernels — set on machines whose newer cores that OpenBLAS build mis-detects — a CPU with
// full-width AVX-512 runs at half its floating-point peak through OpenBLAS. This kernel is the
// Goto/BLIS loop nest: B is packed in panels of NR = 48 columns and KC rows; a transposed A in
// panels of MR = 8 rows, an untransposed one (the convolutions' weights, forward) read in place
// eight rows at a time — its rows are sequential in k already, and packing cost a pass over the
// weights on every call (6 % of ResNet-18 at batch 1). An 8 × 48 micro-kernel keeps 24 zmm
// accumulators and reads one packed B row (3 vectors) and 8 broadcast A values per k. Edges are
// zero-padded in the packs, repeated rows of an in-place A, and stored through masks.
// `dd_sgemm_naive` (naive_gemm.c) is its reference twin in the tests.
#include "CDendrite.h"
#include "sgemm_avx512_internal.h"
#include "transpose.h"

#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

enum { MR = DD_SGEMM_MR, NR = DD_SGEMM_NR, KC = DD_SGEMM_KC, MC = 128 };

int dd_sgemm_avx512_available(void) {
    return __builtin_cpu_supports("avx512f") != 0;
}

// Rows i0.. (mr ≤ MR of them) and columns p0.. (kc) of op(A) = Aᵀ → packed[k][MR], zero rows past
// mr; `a` points at A[p0, i0]. (An untransposed A is read in place by the micro-kernel.)
static void pack_a_transposed(const float *a, int64_t lda, int64_t mr, int64_t kc, float *packed) {
    for (int64_t k = 0; k < kc; k++) {
        const float *row = a + k * lda;
        for (int64_t r = 0; r < MR; r++) packed[k * MR + r] = r < mr ? row[r] : 0.0f;
    }
}

// op(B) rows p0.. (kc), columns j0.. (nr ≤ NR) → packed[k][NR], zero columns past nr.
// `b` points at op(B)[p0, j0]: B[p0, j0] when not transposed, B[j0, p0] when it is.
__attribute__((target("avx512f")))
static void pack_b(int trans, const float *b, int64_t ldb, int64_t kc, int64_t nr, float *packed) {
    if (trans) {
        // Row k of the panel holds element k of nr rows of B: eight rows by eight k at a time
        // through an 8 × 8 transpose, the last rows (nr not a multiple of 8) and k one by one.
        const int64_t full = nr / 8 * 8, kc8 = kc / 8 * 8;
        for (int64_t j = 0; j < full; j += 8) {
            for (int64_t k = 0; k < kc8; k += 8) {
                __m256 rows[8];
                for (int r = 0; r < 8; r++) rows[r] = _mm256_loadu_ps(b + (j + r) * ldb + k);
                dd_transpose_8x8(rows);
                for (int t = 0; t < 8; t++) _mm256_storeu_ps(packed + (k + t) * NR + j, rows[t]);
            }
            for (int64_t k = kc8; k < kc; k++) {
                for (int r = 0; r < 8; r++) packed[k * NR + j + r] = b[(j + r) * ldb + k];
            }
        }
        for (int64_t k = 0; k < kc; k++) {
            float *out = packed + k * NR;
            for (int64_t j = full; j < NR; j++) out[j] = j < nr ? b[j * ldb + k] : 0.0f;
        }
        return;
    }
    if (nr == NR) {
        for (int64_t k = 0; k < kc; k++) {
            const float *row = b + k * ldb;
            float *out = packed + k * NR;
            _mm512_storeu_ps(out, _mm512_loadu_ps(row));
            _mm512_storeu_ps(out + 16, _mm512_loadu_ps(row + 16));
            _mm512_storeu_ps(out + 32, _mm512_loadu_ps(row + 32));
        }
        return;
    }
    for (int64_t k = 0; k < kc; k++) {
        const float *row = b + k * ldb;
        float *out = packed + k * NR;
        for (int64_t j = 0; j < NR; j++) out[j] = j < nr ? row[j] : 0.0f;
    }
}

static inline __mmask16 column_mask(int64_t nr, int part) {
    int64_t left = nr - 16 * part;
    if (left >= 16) return (__mmask16)0xFFFF;
    if (left <= 0) return 0;
    return (__mmask16)((1u << left) - 1u);
}

// Stores (or adds into C) the mr × nr corner of an 8 × 48 tile of accumulators.
__attribute__((target("avx512f"), always_inline))
static inline void store_tile(int vectors, __m512 acc[MR][3], float *c, int64_t ldc, int64_t mr, int64_t nr, int accumulate) {
    __mmask16 m0 = column_mask(nr, 0), m1 = column_mask(nr, 1), m2 = column_mask(nr, 2);
    for (int64_t r = 0; r < mr; r++) {
        float *row = c + r * ldc;
        if (accumulate) {
            acc[r][0] = _mm512_add_ps(acc[r][0], _mm512_maskz_loadu_ps(m0, row));
            if (vectors > 1) acc[r][1] = _mm512_add_ps(acc[r][1], _mm512_maskz_loadu_ps(m1, row + 16));
            if (vectors > 2) acc[r][2] = _mm512_add_ps(acc[r][2], _mm512_maskz_loadu_ps(m2, row + 32));
        }
        _mm512_mask_storeu_ps(row, m0, acc[r][0]);
        if (vectors > 1) _mm512_mask_storeu_ps(row + 16, m1, acc[r][1]);
        if (vectors > 2) _mm512_mask_storeu_ps(row + 32, m2, acc[r][2]);
    }
}

// C[mr × nr] (+)= A[mr × kc] · packedB[kc × NR], reading only the first `vectors` 16-column
// vectors of each packed B row: a panel's last, narrower part (the 49 columns of a 7 × 7 plane
// are 48 + 1) costs one vector per k instead of three. A comes either packed (`rows` NULL:
// packedA[kc × MR]) or straight from eight row pointers (an untransposed A, read in place: its
// rows are sequential in k already, and packing them would cost a pass over the weights on every
// call that products with few columns cannot repay).
__attribute__((target("avx512f"), always_inline))
static inline void micro_kernel_vectors(int vectors, int64_t kc, const float *pa, const float *const *rows, const float *pb,
                                        float *c, int64_t ldc, int64_t mr, int64_t nr, int accumulate) {
    __m512 acc[MR][3];
    for (int r = 0; r < MR; r++) acc[r][0] = acc[r][1] = acc[r][2] = _mm512_setzero_ps();
    for (int64_t k = 0; k < kc; k++) {
        __m512 b0 = _mm512_loadu_ps(pb);
        __m512 b1 = vectors > 1 ? _mm512_loadu_ps(pb + 16) : b0, b2 = vectors > 2 ? _mm512_loadu_ps(pb + 32) : b0;
        for (int r = 0; r < MR; r++) {
            __m512 a = _mm512_set1_ps(rows ? rows[r][k] : pa[r]);
            acc[r][0] = _mm512_fmadd_ps(a, b0, acc[r][0]);
            if (vectors > 1) acc[r][1] = _mm512_fmadd_ps(a, b1, acc[r][1]);
            if (vectors > 2) acc[r][2] = _mm512_fmadd_ps(a, b2, acc[r][2]);
        }
        pa += MR;
        pb += NR;
    }
    store_tile(vectors, acc, c, ldc, mr, nr, accumulate);
}

__attribute__((target("avx512f")))
static void micro_kernel(int64_t kc, const float *pa, const float *pb, float *c, int64_t ldc, int64_t mr, int64_t nr,
                         int accumulate) {
    if (nr > 32) micro_kernel_vectors(3, kc, pa, NULL, pb, c, ldc, mr, nr, accumulate);
    else if (nr > 16) micro_kernel_vectors(2, kc, pa, NULL, pb, c, ldc, mr, nr, accumulate);
    else micro_kernel_vectors(1, kc, pa, NULL, pb, c, ldc, mr, nr, accumulate);
}

// The micro-kernel on A read in place: rows `a`, `a + lda`, … (mr of them; the last one repeated
// for the tile's missing rows, whose results are not stored).
__attribute__((target("avx512f")))
static void micro_kernel_in_place(int64_t kc, const float *a, int64_t lda, const float *pb, float *c, int64_t ldc, int64_t mr,
                                  int64_t nr, int accumulate) {
    const float *rows[MR];
    for (int r = 0; r < MR; r++) rows[r] = a + (r < mr ? r : mr - 1) * lda;
    if (nr > 32) micro_kernel_vectors(3, kc, NULL, rows, pb, c, ldc, mr, nr, accumulate);
    else if (nr > 16) micro_kernel_vectors(2, kc, NULL, rows, pb, c, ldc, mr, nr, accumulate);
    else micro_kernel_vectors(1, kc, NULL, rows, pb, c, ldc, mr, nr, accumulate);
}

int64_t dd_sgemm_avx512_workspace(int64_t m, int64_t n) {
    (void)m;
    int64_t panels = (n + NR - 1) / NR;
    return (int64_t)MC * KC + panels * NR * KC;
}

// B given as a matrix: op(B) = B or Bᵀ.
typedef struct {
    const float *b;
    int64_t ldb;
    int trans;
} matrix_source;

static void pack_b_from_matrix(const void *source, int64_t p0, int64_t kc, int64_t j0, int64_t nr, float *packed) {
    const matrix_source *m = source;
    pack_b(m->trans, m->trans ? m->b + j0 * m->ldb + p0 : m->b + p0 * m->ldb + j0, m->ldb, kc, nr, packed);
}

void dd_sgemm_avx512(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                     const float *b, int64_t ldb, float *c, int64_t ldc, int accumulate, float *workspace) {
    const matrix_source source = {b, ldb, trans_b};
    dd_sgemm_avx512_packing_b(trans_a, m, n, k, a, lda, pack_b_from_matrix, &source, c, ldc, accumulate, workspace);
}

void dd_sgemm_avx512_packing_b(int trans_a, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, dd_pack_b_panel pack,
                               const void *source, float *c, int64_t ldc, int accumulate, float *workspace) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        if (!accumulate) for (int64_t i = 0; i < m; i++) memset(c + i * ldc, 0, (size_t)n * sizeof(float));
        return;
    }
    float *packed_a = workspace;
    float *packed_b = workspace + (int64_t)MC * KC;
    for (int64_t p0 = 0; p0 < k; p0 += KC) {
        int64_t kc = k - p0 < KC ? k - p0 : KC;
        int add = accumulate || p0 > 0;
        for (int64_t j0 = 0; j0 < n; j0 += NR) {
            int64_t nr = n - j0 < NR ? n - j0 : NR;
            pack(source, p0, kc, j0, nr, packed_b + (j0 / NR) * NR * kc);
        }
        if (!trans_a) {
            for (int64_t j0 = 0; j0 < n; j0 += NR) {
                int64_t nr = n - j0 < NR ? n - j0 : NR;
                const float *pb = packed_b + (j0 / NR) * NR * kc;
                for (int64_t i0 = 0; i0 < m; i0 += MR) {
                    int64_t mr = m - i0 < MR ? m - i0 : MR;
                    micro_kernel_in_place(kc, a + i0 * lda + p0, lda, pb, c + i0 * ldc + j0, ldc, mr, nr, add);
                }
            }
            continue;
        }
        for (int64_t i0 = 0; i0 < m; i0 += MC) {
            int64_t mc = m - i0 < MC ? m - i0 : MC;
            for (int64_t ir = 0; ir < mc; ir += MR) {
                int64_t mr = mc - ir < MR ? mc - ir : MR;
                pack_a_transposed(a + p0 * lda + (i0 + ir), lda, mr, kc, packed_a + ir * kc);
            }
            for (int64_t j0 = 0; j0 < n; j0 += NR) {
                int64_t nr = n - j0 < NR ? n - j0 : NR;
                const float *pb = packed_b + (j0 / NR) * NR * kc;
                for (int64_t ir = 0; ir < mc; ir += MR) {
                    int64_t mr = mc - ir < MR ? mc - ir : MR;
                    micro_kernel(kc, packed_a + ir * kc, pb, c + (i0 + ir) * ldc + j0, ldc, mr, nr, add);
                }
            }
        }
    }
}

int64_t dd_sgemm_avx512_packed_a_size(int64_t m, int64_t k) {
    return (m + MR - 1) / MR * MR * k;
}

int64_t dd_sgemm_avx512_packed_b_size(int64_t k, int64_t n) {
    return (n + NR - 1) / NR * NR * k;
}

void dd_sgemm_avx512_prepacked(int64_t m, int64_t n, int64_t k, const float *packed_a, const float *packed_b, float *c,
                               int64_t ldc, int accumulate) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        if (!accumulate) for (int64_t i = 0; i < m; i++) memset(c + i * ldc, 0, (size_t)n * sizeof(float));
        return;
    }
    const int64_t rows = (m + MR - 1) / MR * MR, columns = (n + NR - 1) / NR * NR;
    for (int64_t p0 = 0; p0 < k; p0 += KC) {
        const int64_t kc = k - p0 < KC ? k - p0 : KC;
        const int add = accumulate || p0 > 0;
        // One B panel stays in L1 while every A panel of the block streams past it from L2.
        for (int64_t j0 = 0; j0 < n; j0 += NR) {
            const int64_t nr = n - j0 < NR ? n - j0 : NR;
            const float *pb = packed_b + p0 * columns + j0 * kc;
            for (int64_t i0 = 0; i0 < m; i0 += MR) {
                const int64_t mr = m - i0 < MR ? m - i0 : MR;
                micro_kernel(kc, packed_a + p0 * rows + i0 * kc, pb, c + i0 * ldc + j0, ldc, mr, nr, add);
            }
        }
    }
}
