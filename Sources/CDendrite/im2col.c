// im2col / col2im for NCHW images with per-axis kernel, stride, padding and dilation.
// The column matrix row index is (c, ki, kj) and the column index is (oh, ow), so that
// weight[OC, C*KH*KW] x col[C*KH*KW, OH*OW] is the convolution of one image and one group.
#include "CDendrite.h"
#include <string.h>


// row[lo..<hi] added into out[lo + offset ..< hi + offset]: `restrict` (the column buffer and
// the image never overlap) lets the compiler vectorize it.
static inline void dd_add_run(float *restrict out, const float *restrict row, int lo, int hi, int offset) {
    for (int ow = lo; ow < hi; ++ow) out[ow + offset] += row[ow];
}

// The first output index o ≥ 0 whose input index o·stride + offset is ≥ bound, at most `limit`.
static inline int first_at_or_after(int bound, int offset, int stride, int limit) {
    int distance = bound - offset;
    int o = distance <= 0 ? 0 : (distance + stride - 1) / stride;
    return o < limit ? o : limit;
}

DD_HOT void dd_im2col_rows(const float *image, float *col, int channels, const dd_conv_geometry *g, int64_t row_stride,
                           int64_t row_first, int64_t row_count) {
    const int H = g->in_h, W = g->in_w, OH = g->out_h, OW = g->out_w;
    const int KH = g->kernel_h, KW = g->kernel_w;
    const int SH = g->stride_h, SW = g->stride_w, PH = g->pad_h, PW = g->pad_w;
    const int DH = g->dilation_h, DW = g->dilation_w;
    const size_t stride = (size_t)row_stride;
    const int64_t rows = (int64_t)channels * KH * KW;
    const int64_t end = row_first + row_count < rows ? row_first + row_count : rows;
    for (int64_t r = row_first; r < end; ++r) {
        const int c = (int)(r / (KH * KW)), ki = (int)(r / KW % KH), kj = (int)(r % KW);
        const float *restrict src = image + (size_t)c * H * W;
        float *restrict dst = col + (size_t)r * stride;
        const int offset = kj * DW - PW;
        // Output columns lo ..< hi read inside the row; the others are padding.
        const int lo = first_at_or_after(0, offset, SW, OW), hi_raw = first_at_or_after(W, offset, SW, OW);
        const int hi = hi_raw < lo ? lo : hi_raw;
        for (int oh = 0; oh < OH; ++oh) {
            const int ih = oh * SH - PH + ki * DH;
            float *restrict row = dst + (size_t)oh * OW;
            if (ih < 0 || ih >= H) {
                memset(row, 0, sizeof(float) * (size_t)OW);
                continue;
            }
            const float *restrict srow = src + (size_t)ih * W;
            if (lo > 0) memset(row, 0, sizeof(float) * (size_t)lo);
            if (SW == 1) {
                if (hi > lo) memcpy(row + lo, srow + lo + offset, sizeof(float) * (size_t)(hi - lo));
            } else if (SW == 2) {
                for (int ow = lo; ow < hi; ++ow) row[ow] = srow[2 * ow + offset];
            } else {
                for (int ow = lo; ow < hi; ++ow) row[ow] = srow[ow * SW + offset];
            }
            if (OW > hi) memset(row + hi, 0, sizeof(float) * (size_t)(OW - hi));
        }
    }
}

void dd_im2col(const float *image, float *col, int channels, const dd_conv_geometry *g) {
    dd_im2col_strided(image, col, channels, g, (int64_t)g->out_h * g->out_w);
}

void dd_im2col_strided(const float *image, float *col, int channels, const dd_conv_geometry *g, int64_t row_stride) {
    dd_im2col_rows(image, col, channels, g, row_stride, 0, (int64_t)channels * g->kernel_h * g->kernel_w);
}

DD_HOT void dd_col2im(const float *col, float *image, int channels, const dd_conv_geometry *g) {
    const int H = g->in_h, W = g->in_w, OH = g->out_h, OW = g->out_w;
    const int KH = g->kernel_h, KW = g->kernel_w;
    const int SH = g->stride_h, SW = g->stride_w, PH = g->pad_h, PW = g->pad_w;
    const int DH = g->dilation_h, DW = g->dilation_w;
    const size_t plane = (size_t)OH * OW;
    for (int c = 0; c < channels; ++c) {
        float *dst = image + (size_t)c * H * W;
        for (int ki = 0; ki < KH; ++ki) {
            for (int kj = 0; kj < KW; ++kj) {
                const float *src = col + (((size_t)c * KH + ki) * KW + kj) * plane;
                for (int oh = 0; oh < OH; ++oh) {
                    const int ih = oh * SH - PH + ki * DH;
                    if (ih < 0 || ih >= H) continue;
                    float *drow = dst + (size_t)ih * W;
                    const float *row = src + (size_t)oh * OW;
                    const int offset = kj * DW - PW;
                    if (SW == 1) {
                        // Contiguous run: the outputs whose input column lies inside the image.
                        int lo = offset < 0 ? -offset : 0;
                        int hi = W - offset;
                        if (hi > OW) hi = OW;
                        if (lo > OW) lo = OW;
                        if (hi > lo) dd_add_run(drow, row, lo, hi, offset);
                        continue;
                    }
                    for (int ow = 0; ow < OW; ++ow) {
                        const int iw = ow * SW + offset;
                        if (iw >= 0 && iw < W) drow[iw] += row[ow];
                    }
                }
            }
        }
    }
}

DD_HOT void dd_unbatch_planes(const float *restrict wide, int64_t images, int64_t channels, int64_t plane,
                              const float *restrict scale, const float *restrict bias, int relu, float *restrict y) {
    const int64_t width = images * plane;
    for (int64_t c = 0; c < channels; ++c) {
        const float a = scale ? scale[c] : 1.0f, b = bias ? bias[c] : 0.0f;
        for (int64_t n = 0; n < images; ++n) {
            const float *restrict in = wide + c * width + n * plane;
            float *restrict out = y + (n * channels + c) * plane;
            if (relu) {
                for (int64_t p = 0; p < plane; ++p) { const float v = in[p] * a + b; out[p] = v < 0.0f ? 0.0f : v; }
            } else {
                for (int64_t p = 0; p < plane; ++p) out[p] = in[p] * a + b;
            }
        }
    }
}
