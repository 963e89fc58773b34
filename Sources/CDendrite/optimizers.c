// Fused optimizer updates (PyTorch's formulas), vectorized: `restrict` tells the compiler the
// arrays do not overlap, and target_clones adds an AVX2+FMA (x86-64-v3) version picked at load time.
#include "CDendrite.h"
#include <math.h>


// `sqrtf` may set errno, which keeps the loops scalar (one vsqrtss/vdivss per element; the MLP
// step's profile before and after is in Docs/Benchmarks.md). The elementwise builtin is the IEEE
// square root without errno, so the loops vectorize; the results are bitwise the same.
#if __has_builtin(__builtin_elementwise_sqrt)
#define DD_SQRT(x) __builtin_elementwise_sqrt(x)
#else
#define DD_SQRT(x) sqrtf(x)
#endif

DD_HOT void dd_rmsprop_step(float *restrict p, const float *restrict g, float *restrict square_avg, size_t n,
                            float lr, float alpha, float eps, float weight_decay) {
    const float one_minus_alpha = 1.0f - alpha;
    for (size_t i = 0; i < n; ++i) {
        const float d = g[i] + weight_decay * p[i];
        const float s = alpha * square_avg[i] + one_minus_alpha * d * d;
        square_avg[i] = s;
        p[i] -= lr * d / (DD_SQRT(s) + eps);
    }
}

DD_HOT void dd_adam_step(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, size_t n,
                         float step_size, float beta1, float beta2, float eps, float root_correction2,
                         float l2, float decay) {
    const float b1 = 1.0f - beta1, b2 = 1.0f - beta2, inv_root = 1.0f / root_correction2;
    for (size_t i = 0; i < n; ++i) {
        const float w = p[i] * decay;
        const float d = g[i] + l2 * w;
        const float mi = beta1 * m[i] + b1 * d;
        const float vi = beta2 * v[i] + b2 * d * d;
        m[i] = mi;
        v[i] = vi;
        p[i] = w - step_size * mi / (DD_SQRT(vi) * inv_root + eps);
    }
}

DD_HOT void dd_sgd_momentum_step(float *restrict p, const float *restrict g, float *restrict buffer, size_t n,
                                 float lr, float momentum, float dampening, float weight_decay, int nesterov) {
    const float keep = 1.0f - dampening;
    for (size_t i = 0; i < n; ++i) {
        const float d = g[i] + weight_decay * p[i];
        const float b = momentum * buffer[i] + keep * d;
        buffer[i] = b;
        p[i] -= lr * (nesterov ? d + momentum * b : b);
    }
}

// Σ x² in double over four lanes (vectorizes; the gradient norm for clipping).
DD_HOT double dd_sum_of_squares(const float *restrict x, size_t n) {
    double lane[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; ++j) lane[j] += (double)x[i + j] * (double)x[i + j];
    double total = (lane[0] + lane[2]) + (lane[1] + lane[3]);
    for (; i < n; ++i) total += (double)x[i] * (double)x[i];
    return total;
}
