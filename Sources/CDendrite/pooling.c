// Max pooling over NCHW planes [p0, p1), keeping each window's argmax (flat index in its plane)
// for the backward pass unless `argmax` is NULL (inference). NaN wins a window, as in PyTorch. Windows are clipped to the image
// (padding never wins); the 2×2 stride-2 unpadded case — most CNNs' pooling — has its own loop.
#include "CDendrite.h"
#include <math.h>

#define DD_HOT __attribute__((target_clones("avx2", "default")))

DD_HOT void dd_maxpool_forward(const float *restrict x, float *restrict y, int32_t *restrict argmax, size_t p0, size_t p1,
                               int height, int width, int kernel_h, int kernel_w, int stride_h, int stride_w,
                               int pad_h, int pad_w, int out_h, int out_w) {
    const size_t in_plane = (size_t)height * width, out_plane = (size_t)out_h * out_w;
    const int simple = kernel_h == 2 && kernel_w == 2 && stride_h == 2 && stride_w == 2 && pad_h == 0 && pad_w == 0
        && 2 * out_h <= height && 2 * out_w <= width;
    for (size_t p = p0; p < p1; ++p) {
        const float *plane = x + p * in_plane;
        float *out = y + p * out_plane;
        int32_t *index = argmax ? argmax + p * out_plane : NULL;
        if (simple) {
            for (int oh = 0; oh < out_h; ++oh) {
                const float *row0 = plane + (size_t)(2 * oh) * width, *row1 = row0 + width;
                for (int ow = 0; ow < out_w; ++ow) {
                    const int w = 2 * ow;
                    const float a = row0[w], b = row0[w + 1], c = row1[w], d = row1[w + 1];
                    int32_t best_index = 2 * oh * width + w;
                    float best = a;
                    if (b > best || (b != b && best == best)) { best = b; best_index = 2 * oh * width + w + 1; }
                    if (c > best || (c != c && best == best)) { best = c; best_index = (2 * oh + 1) * width + w; }
                    if (d > best || (d != d && best == best)) { best = d; best_index = (2 * oh + 1) * width + w + 1; }
                    out[oh * out_w + ow] = best;
                    if (index) index[oh * out_w + ow] = best_index;
                }
            }
            continue;
        }
        for (int oh = 0; oh < out_h; ++oh) {
            const int h0 = oh * stride_h - pad_h;
            const int h_start = h0 < 0 ? 0 : h0, h_end = h0 + kernel_h < height ? h0 + kernel_h : height;
            for (int ow = 0; ow < out_w; ++ow) {
                const int w0 = ow * stride_w - pad_w;
                const int w_start = w0 < 0 ? 0 : w0, w_end = w0 + kernel_w < width ? w0 + kernel_w : width;
                float best = -INFINITY;
                int32_t best_index = h_start * width + w_start;
                for (int h = h_start; h < h_end; ++h) {
                    for (int w = w_start; w < w_end; ++w) {
                        const float v = plane[h * width + w];
                        if (v > best || v != v) {
                            best = v;
                            best_index = h * width + w;
                            if (v != v) goto done;
                        }
                    }
                }
            done:
                out[oh * out_w + ow] = best;
                if (index) index[oh * out_w + ow] = best_index;
            }
        }
    }
}
