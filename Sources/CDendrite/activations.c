// Activation kernels with their derivative, vectorized: no libm calls in the loops (a
// polynomial exp and Abramowitz–Stegun's erfc), so the compiler turns each loop into AVX2+FMA code
// (target_clones adds that version next to the portable one, picked at load time).
#include "CDendrite.h"
#include "fast_exp.h"
#include <math.h>
#include <stdint.h>
#include <string.h>


// Φ(x) = ½·erfc(−x/√2) and the Gaussian density's kernel e^{−x²/2}, from one exponential:
// erfc(a) = t·P(t)·e^{−a²}, t = 1/(1 + 0.3275911·a), a = |x|/√2 (A&S 7.1.26, |error| ≤ 1.5e-7).
static inline float dd_normal_cdf(float x, float *gaussian) {
    const float a = fabsf(x) * 0.70710678118654752f;
    const float t = 1.0f / (1.0f + 0.3275911f * a);
    const float poly = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
    const float e = dd_exp_nonpositive(-a * a);
    *gaussian = e;
    const float tail = 0.5f * poly * e;   // ½·erfc(|x|/√2) = Φ(−|x|)
    return x >= 0.0f ? 1.0f - tail : tail;
}

DD_HOT void dd_gelu(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        float gaussian;
        y[i] = x[i] * dd_normal_cdf(x[i], &gaussian);
    }
}

DD_HOT void dd_gelu_with_slope(const float *restrict x, float *restrict y, float *restrict slope, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        float gaussian;
        const float v = x[i], cdf = dd_normal_cdf(v, &gaussian);
        y[i] = v * cdf;
        slope[i] = cdf + v * 0.39894228040143268f * gaussian;   // Φ(x) + x·φ(x)
    }
}

// e^x for any x ≤ 0 including −∞ (masked attention scores), 0 below −87.
static inline float dd_exp_or_zero(float x) {
    const float e = dd_exp_nonpositive(x);
    return x < -87.0f ? 0.0f : e;
}

// The largest of n values (−∞ for none), over eight lanes so that the loop vectorizes (a single
// running maximum is a dependency chain the compiler must keep in order).
static inline float dd_row_maximum(const float *restrict v, size_t n) {
    float lane[8] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY};
    size_t c = 0;
    for (; c + 8 <= n; c += 8)
        for (int j = 0; j < 8; ++j) lane[j] = v[c + j] > lane[j] ? v[c + j] : lane[j];
    float maximum = -INFINITY;
    for (int j = 0; j < 8; ++j) maximum = lane[j] > maximum ? lane[j] : maximum;
    for (; c < n; ++c) maximum = v[c] > maximum ? v[c] : maximum;
    return maximum;
}

// The sum of n values over eight lanes (vectorizes; the order differs from a running sum by
// rounding only).
static inline float dd_row_sum(const float *restrict v, size_t n) {
    float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t c = 0;
    for (; c + 8 <= n; c += 8)
        for (int j = 0; j < 8; ++j) lane[j] += v[c + j];
    float total = ((lane[0] + lane[4]) + (lane[1] + lane[5])) + ((lane[2] + lane[6]) + (lane[3] + lane[7]));
    for (; c < n; ++c) total += v[c];
    return total;
}

DD_HOT void dd_softmax_rows(const float *restrict x, float *restrict y, size_t rows, size_t columns, int logarithm) {
    for (size_t r = 0; r < rows; ++r) {
        const float *in = x + r * columns;
        float *out = y + r * columns;
        float maximum = dd_row_maximum(in, columns);
        if (maximum == -INFINITY) maximum = 0.0f;
        for (size_t c = 0; c < columns; ++c) out[c] = dd_exp_or_zero(in[c] - maximum);
        const float total = dd_row_sum(out, columns);
        if (logarithm) {
            const float log_total = logf(total) + maximum;
            for (size_t c = 0; c < columns; ++c) out[c] = in[c] - log_total;
        } else {
            const float inverse = 1.0f / total;
            for (size_t c = 0; c < columns; ++c) out[c] *= inverse;
        }
    }
}

// dot(a, b) over eight lanes (vectorizes, like dd_row_sum).
static inline float dd_row_dot(const float *restrict a, const float *restrict b, size_t n) {
    float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t c = 0;
    for (; c + 8 <= n; c += 8)
        for (int j = 0; j < 8; ++j) lane[j] += a[c + j] * b[c + j];
    float total = ((lane[0] + lane[4]) + (lane[1] + lane[5])) + ((lane[2] + lane[6]) + (lane[3] + lane[7]));
    for (; c < n; ++c) total += a[c] * b[c];
    return total;
}

DD_HOT void dd_softmax_backward_rows(const float *restrict dy, const float *restrict y, float *restrict dx, size_t rows,
                                     size_t columns, int logarithm) {
    for (size_t r = 0; r < rows; ++r) {
        const float *g = dy + r * columns, *out = y + r * columns;
        float *d = dx + r * columns;
        if (logarithm) {
            const float total = dd_row_sum(g, columns);
            for (size_t c = 0; c < columns; ++c) d[c] = g[c] - dd_exp_or_zero(out[c]) * total;
        } else {
            const float dot = dd_row_dot(g, out, columns);
            for (size_t c = 0; c < columns; ++c) d[c] = out[c] * (g[c] - dot);
        }
    }
}

DD_HOT void dd_bias_relu_planes(float *restrict y, size_t channels, size_t plane, const float *restrict scale,
                                const float *restrict bias, int relu) {
    for (size_t c = 0; c < channels; ++c) {
        float *restrict p = y + c * plane;
        const float a = scale ? scale[c] : 1.0f, b = bias ? bias[c] : 0.0f;
        if (relu) {
            for (size_t i = 0; i < plane; ++i) { const float v = p[i] * a + b; p[i] = v < 0.0f ? 0.0f : v; }   // NaN stays NaN
        } else if (scale) {
            for (size_t i = 0; i < plane; ++i) p[i] = p[i] * a + b;
        } else {
            for (size_t i = 0; i < plane; ++i) p[i] += b;
        }
    }
}
