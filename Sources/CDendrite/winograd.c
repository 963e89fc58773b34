// Winograd F(2×2, 3×3) for stride-1, undilated 3×3 convolutions (Lavin & Gray 2016): each 2×2
// output tile comes from a 4×4 input tile as Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A, so the 36
// multiplications of a direct tile become 16, done as 16 GEMMs over all tiles and channels:
//   U[ξ][K][C] = (G g Gᵀ)ξ   (filters, once per call)
//   V[ξ][C][P] = (Bᵀ d B)ξ   (input tiles, P = N·tiles)
//   M[ξ][K][P] = U[ξ] · V[ξ]  (OpenBLAS, by the caller)
//   y = (Aᵀ M A)·scale + bias (+ ReLU)  (into NCHW, clipped at odd edges)
#include "CDendrite.h"
#include <string.h>

DD_HOT void dd_winograd_filters(const float *restrict w, int64_t k, int64_t c, float *restrict u) {
    const int64_t stride = k * c;
    for (int64_t o = 0; o < k; o++) {
        for (int64_t i = 0; i < c; i++) {
            const float *g = w + (o * c + i) * 9;
            float t[4][3];   // G g: 4×3
            for (int j = 0; j < 3; j++) {
                t[0][j] = g[j];
                t[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
                t[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
                t[3][j] = g[6 + j];
            }
            for (int r = 0; r < 4; r++) {   // (G g) Gᵀ: 4×4
                const float a = t[r][0], b = t[r][1], d = t[r][2];
                float *row = u + (int64_t)(r * 4) * stride + o * c + i;
                row[0] = a;
                row[stride] = 0.5f * (a + b + d);
                row[2 * stride] = 0.5f * (a - b + d);
                row[3 * stride] = d;
            }
        }
    }
}

DD_HOT void dd_winograd_inputs(const float *restrict x, int64_t n, int64_t c, int64_t h, int64_t w, int64_t pad_h,
                               int64_t pad_w, int64_t tiles_h, int64_t tiles_w, int64_t image_first, int64_t image_count,
                               float *restrict v) {
    const int64_t tiles = tiles_h * tiles_w, p_total = n * tiles, stride = c * p_total;
    (void)image_first;
    for (int64_t b = image_first; b < image_first + image_count; b++) {
        for (int64_t i = 0; i < c; i++) {
            const float *plane = x + (b * c + i) * h * w;
            for (int64_t th = 0; th < tiles_h; th++) {
                for (int64_t tw = 0; tw < tiles_w; tw++) {
                    float d[4][4];
                    const int64_t y0 = 2 * th - pad_h, x0 = 2 * tw - pad_w;
                    for (int r = 0; r < 4; r++) {
                        const int64_t yy = y0 + r;
                        for (int s = 0; s < 4; s++) {
                            const int64_t xx = x0 + s;
                            d[r][s] = (yy >= 0 && yy < h && xx >= 0 && xx < w) ? plane[yy * w + xx] : 0.0f;
                        }
                    }
                    float t[4][4];   // Bᵀ d
                    for (int s = 0; s < 4; s++) {
                        t[0][s] = d[0][s] - d[2][s];
                        t[1][s] = d[1][s] + d[2][s];
                        t[2][s] = d[2][s] - d[1][s];
                        t[3][s] = d[1][s] - d[3][s];
                    }
                    const int64_t p = b * tiles + th * tiles_w + tw;
                    float *out = v + i * p_total + p;
                    for (int r = 0; r < 4; r++) {   // (Bᵀ d) B
                        out[(r * 4 + 0) * stride] = t[r][0] - t[r][2];
                        out[(r * 4 + 1) * stride] = t[r][1] + t[r][2];
                        out[(r * 4 + 2) * stride] = t[r][2] - t[r][1];
                        out[(r * 4 + 3) * stride] = t[r][1] - t[r][3];
                    }
                }
            }
        }
    }
}

DD_HOT void dd_winograd_outputs(const float *restrict m, int64_t n, int64_t k, int64_t out_h, int64_t out_w, int64_t tiles_h,
                                int64_t tiles_w, const float *restrict scale, const float *restrict bias, int relu,
                                int64_t image_first, int64_t image_count, float *restrict y) {
    const int64_t tiles = tiles_h * tiles_w, p_total = n * tiles, stride = k * p_total;
    for (int64_t b = image_first; b < image_first + image_count; b++) {
        for (int64_t o = 0; o < k; o++) {
            const float offset = bias ? bias[o] : 0.0f, factor = scale ? scale[o] : 1.0f;
            float *plane = y + (b * k + o) * out_h * out_w;
            for (int64_t th = 0; th < tiles_h; th++) {
                for (int64_t tw = 0; tw < tiles_w; tw++) {
                    const int64_t p = b * tiles + th * tiles_w + tw;
                    const float *in = m + o * p_total + p;
                    float q[4][4];
                    for (int e = 0; e < 16; e++) q[e / 4][e % 4] = in[e * stride];
                    float t[2][4];   // Aᵀ q
                    for (int s = 0; s < 4; s++) {
                        t[0][s] = q[0][s] + q[1][s] + q[2][s];
                        t[1][s] = q[1][s] - q[2][s] - q[3][s];
                    }
                    float r[2][2];   // (Aᵀ q) A
                    for (int a = 0; a < 2; a++) {
                        r[a][0] = (t[a][0] + t[a][1] + t[a][2]) * factor + offset;
                        r[a][1] = (t[a][1] - t[a][2] - t[a][3]) * factor + offset;
                    }
                    for (int a = 0; a < 2; a++) {
                        const int64_t yy = 2 * th + a;
                        if (yy >= out_h) continue;
                        for (int c2 = 0; c2 < 2; c2++) {
                            const int64_t xx = 2 * tw + c2;
                            if (xx >= out_w) continue;
                            const float value = r[a][c2];
                            plane[yy * out_w + xx] = (relu && value < 0.0f) ? 0.0f : value;
                        }
                    }
                }
            }
        }
    }
}
