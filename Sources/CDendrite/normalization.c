// Batch normalization over [N, C, S] (S = product of spatial sizes), channels [c0, c1) per call so
// the caller can split channels across cores. Sums over one plane run in float with
// reassociation allowed (so they vectorize); planes are added in double.
#include "CDendrite.h"

#define DD_HOT __attribute__((target_clones("avx2", "default")))

static inline float dd_plane_sum(const float *restrict p, size_t n) {
#pragma clang fp reassociate(on)
    float total = 0.0f;
    for (size_t s = 0; s < n; ++s) total += p[s];
    return total;
}

static inline float dd_plane_squared_deviation(const float *restrict p, size_t n, float mu) {
#pragma clang fp reassociate(on)
    float total = 0.0f;
    for (size_t s = 0; s < n; ++s) {
        const float d = p[s] - mu;
        total += d * d;
    }
    return total;
}

DD_HOT void dd_batchnorm_statistics(const float *restrict x, size_t batch, size_t channels, size_t spatial,
                                    size_t c0, size_t c1, float *restrict mean, float *restrict variance) {
    const double m = (double)(batch * spatial);
    for (size_t c = c0; c < c1; ++c) {
        double total = 0.0;
        for (size_t n = 0; n < batch; ++n) total += dd_plane_sum(x + (n * channels + c) * spatial, spatial);
        const float mu = (float)(total / m);
        double squares = 0.0;
        for (size_t n = 0; n < batch; ++n) squares += dd_plane_squared_deviation(x + (n * channels + c) * spatial, spatial, mu);
        mean[c] = mu;
        variance[c] = (float)(squares / m);
    }
}

DD_HOT void dd_batchnorm_backward(const float *restrict dy, const float *restrict x, const float *restrict mean,
                                  const float *restrict inv_std, const float *restrict gamma, size_t batch, size_t channels,
                                  size_t spatial, size_t c0, size_t c1, int batch_statistics, float *restrict dx,
                                  float *restrict dgamma, float *restrict dbeta) {
    const float m = (float)(batch * spatial);
    for (size_t c = c0; c < c1; ++c) {
        const float mu = mean[c], inv = inv_std[c];
        double sum_dy = 0.0, sum_dy_xhat = 0.0;
        for (size_t n = 0; n < batch; ++n) {
            const float *g = dy + (n * channels + c) * spatial, *v = x + (n * channels + c) * spatial;
            float a = 0.0f, b = 0.0f;
            {
#pragma clang fp reassociate(on)
                for (size_t s = 0; s < spatial; ++s) {
                    a += g[s];
                    b += g[s] * (v[s] - mu);
                }
            }
            sum_dy += a;
            sum_dy_xhat += (double)b * inv;
        }
        dgamma[c] = (float)sum_dy_xhat;
        dbeta[c] = (float)sum_dy;
        const float scale = (gamma ? gamma[c] : 1.0f) * inv;
        const float mean_dy = (float)sum_dy / m, mean_dy_xhat = (float)sum_dy_xhat / m;
        for (size_t n = 0; n < batch; ++n) {
            const size_t offset = (n * channels + c) * spatial;
            const float *g = dy + offset, *v = x + offset;
            float *d = dx + offset;
            if (batch_statistics) {
                for (size_t s = 0; s < spatial; ++s) d[s] = scale * (g[s] - mean_dy - (v[s] - mu) * inv * mean_dy_xhat);
            } else {
                for (size_t s = 0; s < spatial; ++s) d[s] = scale * g[s];
            }
        }
    }
}
