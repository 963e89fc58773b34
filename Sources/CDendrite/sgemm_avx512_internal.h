// The AVX-512 GEMM's loop nest with the packing of B supplied by the caller: sgemm_avx512.c packs a
// matrix, conv_gemm_avx512.c the columns of a convolution straight from its image.
#ifndef DD_SGEMM_AVX512_INTERNAL_H
#define DD_SGEMM_AVX512_INTERNAL_H
#include <stdint.h>

/// Writes rows p0 ..< p0 + kc and columns j0 ..< j0 + nr of op(B), described by `source`, as one
/// packed panel: packed[k][DD_SGEMM_NR], zero in the columns past nr.
typedef void (*dd_pack_b_panel)(const void *source, int64_t p0, int64_t kc, int64_t j0, int64_t nr, float *packed);

/// dd_sgemm_avx512 with B packed by `pack` from `source`.
void dd_sgemm_avx512_packing_b(int trans_a, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, dd_pack_b_panel pack,
                               const void *source, float *c, int64_t ldc, int accumulate, float *workspace);
#endif
