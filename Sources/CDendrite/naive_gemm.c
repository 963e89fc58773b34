// Reference GEMM: the plain triple loop the BLAS kernel is checked and benchmarked against.
#include "CDendrite.h"

void dd_gemm_naive(int trans_a, int trans_b, int m, int n, int k, float alpha,
                   const float *a, int lda, const float *b, int ldb,
                   float beta, float *c, int ldc) {
    for (int i = 0; i < m; ++i) {
        for (int j = 0; j < n; ++j) {
            double acc = 0.0;
            for (int p = 0; p < k; ++p) {
                const float av = trans_a ? a[(size_t)p * lda + i] : a[(size_t)i * lda + p];
                const float bv = trans_b ? b[(size_t)j * ldb + p] : b[(size_t)p * ldb + j];
                acc += (double)av * (double)bv;
            }
            float *cij = c + (size_t)i * ldc + j;
            // beta == 0 must not propagate NaN/Inf from uninitialized C, as in BLAS.
            *cij = (float)(alpha * acc) + (beta == 0.0f ? 0.0f : beta * *cij);
        }
    }
}
