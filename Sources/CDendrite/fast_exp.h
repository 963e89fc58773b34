// The vectorizable exponential shared by the activation and recurrent kernels (no libm call, so
// loops around it become AVX2+FMA code in their x86-64-v3 clones).
#ifndef DD_FAST_EXP_H
#define DD_FAST_EXP_H

#include <math.h>
#include <stdint.h>
#include <string.h>

// e^x for x ≤ 0 within 2 ulp on [-87, 0]: x = k·ln2 + r, |r| ≤ ln2/2, e^r by Cephes' degree-5
// polynomial, 2^k assembled in the exponent bits (flushed to 0 below 2^-126).
static inline float dd_exp_nonpositive(float x) {
    x = x < -87.0f ? -87.0f : x;
    const float k = floorf(x * 1.44269504088896341f + 0.5f);
    const float r = (x - k * 0.693359375f) + k * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const int32_t bits = ((int32_t)k + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

// σ(x) = 1/(1 + e^−x), from e^−|x| (never overflows).
static inline float dd_sigmoid(float x) {
    const float e = dd_exp_nonpositive(-fabsf(x));
    return x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

// tanh(x) from e^−2|x|; below |x| = 0.1 its Taylor series to x⁷ (the difference 1 − e^−2|x|
// would cancel there).
static inline float dd_tanh(float x) {
    const float a = fabsf(x), x2 = x * x;
    const float series = x * (1.0f + x2 * (-1.0f / 3.0f + x2 * (2.0f / 15.0f - x2 * (17.0f / 315.0f))));
    const float e = dd_exp_nonpositive(-2.0f * a);
    const float t = (1.0f - e) / (1.0f + e);
    return a < 0.1f ? series : (x >= 0.0f ? t : -t);
}

#endif
