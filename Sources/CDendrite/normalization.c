// Batch normalization over [N, C, S] (S = product of spatial sizes), channels [c0, c1) per call so
// the caller can split channels across cores. Sums over one plane run in float with
// reassociation allowed (so they vectorize); planes are added in double.
#include "CDendrite.h"
#include <math.h>


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
        if (dx == NULL) continue;
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

DD_HOT void dd_batchnorm_backward_input(const float *restrict dy, const float *restrict x, const float *restrict mean,
                                        const float *restrict inv_std, const float *restrict gamma, size_t batch, size_t channels,
                                        size_t spatial, size_t c0, size_t c1, const double *restrict sum_dy,
                                        const double *restrict sum_dy_xhat, double count, float *restrict dx) {
    for (size_t c = c0; c < c1; ++c) {
        const float mu = mean[c], inv = inv_std[c];
        const float scale = (gamma ? gamma[c] : 1.0f) * inv;
        const float mean_dy = (float)(sum_dy[c] / count), mean_dy_xhat = (float)(sum_dy_xhat[c] / count);
        for (size_t n = 0; n < batch; ++n) {
            const size_t offset = (n * channels + c) * spatial;
            const float *g = dy + offset, *v = x + offset;
            float *d = dx + offset;
            for (size_t s = 0; s < spatial; ++s) d[s] = scale * (g[s] - mean_dy - (v[s] - mu) * inv * mean_dy_xhat);
        }
    }
}

// Layer normalization over rows [r0, r1) of `columns`: y = γ·(x − μ)·inv + β with
// inv = 1/√(σ² + ε) (σ² biased); γ and β may be NULL (1 and 0). Row sums vectorize.
DD_HOT void dd_layernorm_forward(const float *restrict x, const float *restrict gamma, const float *restrict beta,
                                 float *restrict y, float *restrict mean, float *restrict inv_std, size_t r0, size_t r1,
                                 size_t columns, float epsilon) {
    for (size_t r = r0; r < r1; ++r) {
        const float *row = x + r * columns;
        float *out = y + r * columns;
        const float mu = dd_plane_sum(row, columns) / (float)columns;
        const float inv = 1.0f / sqrtf(dd_plane_squared_deviation(row, columns, mu) / (float)columns + epsilon);
        mean[r] = mu;
        inv_std[r] = inv;
        if (gamma && beta) {
            for (size_t c = 0; c < columns; ++c) out[c] = (row[c] - mu) * inv * gamma[c] + beta[c];
        } else {
            for (size_t c = 0; c < columns; ++c) {
                out[c] = (row[c] - mu) * inv * (gamma ? gamma[c] : 1.0f) + (beta ? beta[c] : 0.0f);
            }
        }
    }
}

// Its gradient for rows [r0, r1): dx = inv/C·(C·ĝ − Σĝ − x̂·Σ(ĝ·x̂)) with ĝ = dy·γ; adds the rows'
// Σ dy·x̂ into dgamma and Σ dy into dbeta (the caller gives each range its own zeroed pair).
DD_HOT void dd_layernorm_backward(const float *restrict dy, const float *restrict x, const float *restrict gamma,
                                  const float *restrict mean, const float *restrict inv_std, float *restrict dx,
                                  float *restrict dgamma, float *restrict dbeta, size_t r0, size_t r1, size_t columns) {
    const float n = (float)columns;
    for (size_t r = r0; r < r1; ++r) {
        const float *g = dy + r * columns, *v = x + r * columns;
        float *d = dx + r * columns;
        const float mu = mean[r], inv = inv_std[r];
        float sum_g = 0.0f, sum_gx = 0.0f;
        {
#pragma clang fp reassociate(on)
            for (size_t c = 0; c < columns; ++c) {
                const float xhat = (v[c] - mu) * inv;
                const float scaled = g[c] * (gamma ? gamma[c] : 1.0f);
                sum_g += scaled;
                sum_gx += scaled * xhat;
            }
        }
        for (size_t c = 0; c < columns; ++c) {
            const float xhat = (v[c] - mu) * inv;
            dgamma[c] += g[c] * xhat;
            dbeta[c] += g[c];
            d[c] = inv / n * (n * g[c] * (gamma ? gamma[c] : 1.0f) - sum_g - xhat * sum_gx);
        }
    }
}

DD_HOT void dd_channel_sums(const float *restrict x, size_t batch, size_t channels, size_t spatial, size_t c0, size_t c1,
                            float *restrict sums) {
    for (size_t c = c0; c < c1; ++c) {
        double total = 0;
        for (size_t n = 0; n < batch; ++n) total += dd_plane_sum(x + (n * channels + c) * spatial, spatial);
        sums[c] += (float)total;
    }
}

DD_HOT void dd_scale_shift_planes(const float *restrict x, float *restrict y, size_t plane_first, size_t plane_count,
                                  size_t channels, size_t spatial, const float *restrict scale, const float *restrict shift) {
    for (size_t p = plane_first; p < plane_first + plane_count; ++p) {
        const float a = scale[p % channels], b = shift[p % channels];
        const float *restrict in = x + p * spatial;
        float *restrict out = y + p * spatial;
        for (size_t i = 0; i < spatial; ++i) out[i] = in[i] * a + b;
    }
}
