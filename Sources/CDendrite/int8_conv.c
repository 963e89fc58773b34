// The pieces of an int8 convolution around the int8 GEMM (int8_gemm.c). A sample's input is
// quantized into channels-last order [H, W, C], so that the taps of one kernel row are one run
// of kw·C bytes; im2row then unrolls it into one row per output pixel (the GEMM's A, with
// k = (i·kw + j)·C + c — the weights are reordered to [OC, KH, KW, C] to match), padding filled
// with the zero point (the quantized 0.0). The int32 result [pixels, OC] goes back to float
// planes [OC, pixels] with the bias and, optionally, a ReLU, in blocks of pixels so that reads
// and writes both stay in cache.
#include "CDendrite.h"
// Rescaling is a multiply then an add, never fused: every path rounds the same way.
#pragma clang fp contract(off)
#include <math.h>
#include <string.h>

DD_HOT void dd_quantize_planes_to_nhwc_u7(const float *restrict x, int64_t channels, int64_t pixels, float inverse_scale,
                                          float zero, uint8_t *restrict out) {
    for (int64_t c = 0; c < channels; c++) {
        const float *restrict plane = x + c * pixels;
        for (int64_t p = 0; p < pixels; p++) {
            float q = nearbyintf(plane[p] * inverse_scale) + zero;
            q = q < 0.0f ? 0.0f : (q > 127.0f ? 127.0f : q);
            out[p * channels + c] = (uint8_t)q;
        }
    }
}

DD_HOT void dd_im2row_nhwc_u8(const uint8_t *restrict x, int64_t channels, int64_t height, int64_t width, int64_t kernel_h,
                              int64_t kernel_w, int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w,
                              int64_t dilation_h, int64_t dilation_w, int64_t out_h, int64_t out_w, uint8_t pad_value,
                              uint8_t *restrict rows, int64_t ldr) {
    const int64_t k = kernel_h * kernel_w * channels, run = kernel_w * channels;
    for (int64_t oy = 0; oy < out_h; oy++) {
        for (int64_t ox = 0; ox < out_w; ox++) {
            uint8_t *restrict row = rows + (oy * out_w + ox) * ldr;
            const int64_t x0 = ox * stride_w - pad_w;
            const int inside_w = x0 >= 0 && x0 + (kernel_w - 1) * dilation_w < width;
            for (int64_t i = 0; i < kernel_h; i++) {
                const int64_t iy = oy * stride_h - pad_h + i * dilation_h;
                uint8_t *restrict out = row + i * run;
                if (iy < 0 || iy >= height) {
                    memset(out, pad_value, (size_t)run);
                } else if (inside_w && dilation_w == 1) {
                    memcpy(out, x + (iy * width + x0) * channels, (size_t)run);
                } else {
                    for (int64_t j = 0; j < kernel_w; j++) {
                        const int64_t ix = x0 + j * dilation_w;
                        if (ix < 0 || ix >= width) memset(out + j * channels, pad_value, (size_t)channels);
                        else memcpy(out + j * channels, x + (iy * width + ix) * channels, (size_t)channels);
                    }
                }
            }
            if (ldr > k) memset(row + k, 0, (size_t)(ldr - k));
        }
    }
}

DD_HOT void dd_int8_dequantize_planes(const int32_t *restrict c, int64_t pixels, int64_t channels, float scale,
                                      int32_t zero, const float *restrict channel_scales,
                                      const int32_t *restrict row_sums, const float *restrict bias, int relu,
                                      float *restrict y) {
    enum { block = 64 };
    for (int64_t p0 = 0; p0 < pixels; p0 += block) {
        const int64_t p1 = p0 + block < pixels ? p0 + block : pixels;
        for (int64_t o = 0; o < channels; o++) {
            const float factor = scale * channel_scales[o], offset = bias ? bias[o] : 0.0f;
            const int32_t correction = zero * row_sums[o];
            float *restrict plane = y + o * pixels;
            for (int64_t p = p0; p < p1; p++) {
                const float value = factor * (float)(c[p * channels + o] - correction) + offset;
                plane[p] = (relu && value < 0.0f) ? 0.0f : value;
            }
        }
    }
}
