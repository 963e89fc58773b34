// Max pooling over NCHW planes [p0, p1), keeping each window's argmax (flat index in its plane)
// for the backward pass unless `argmax` is NULL (inference). NaN wins a window, as in PyTorch. Windows are clipped to the image
// (padding never wins); the 2×2 stride-2 unpadded case — most CNNs' pooling — has its own loop.
#include "CDendrite.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef float dd_f4 __attribute__((ext_vector_type(4)));
typedef int32_t dd_i4 __attribute__((ext_vector_type(4)));


// One plane of 2×2 stride-2 pooling. Branch-free (selects, not jumps: random data would
// mispredict every comparison): a later value wins when larger, or when NaN and no NaN won yet.
// `keep` is a constant at each call, so the compiler drops the index work when it is 0.
static inline __attribute__((always_inline)) void dd_maxpool_2x2_plane(const float *restrict plane, float *restrict out,
                                                                      int32_t *restrict index, int width, int out_h,
                                                                      int out_w, const int keep) {
    for (int oh = 0; oh < out_h; ++oh) {
        const float *row0 = plane + (size_t)(2 * oh) * width, *row1 = row0 + width;
        for (int ow = 0; ow < out_w; ++ow) {
            const int w = 2 * ow;
            const float a = row0[w], b = row0[w + 1], c = row1[w], d = row1[w + 1];
            const int32_t top = 2 * oh * width + w, bottom = top + width;
            float best = a;
            int32_t best_index = top;
            int take = (b > best) | ((b != b) & (best == best));
            best = take ? b : best;
            best_index = take ? top + 1 : best_index;
            take = (c > best) | ((c != c) & (best == best));
            best = take ? c : best;
            best_index = take ? bottom : best_index;
            take = (d > best) | ((d != d) & (best == best));
            best = take ? d : best;
            best_index = take ? bottom + 1 : best_index;
            out[oh * out_w + ow] = best;
            if (keep) index[oh * out_w + ow] = best_index;
        }
    }
}

// The same for planes of even height and width, in two passes that vectorize whatever the width:
// first the larger of each horizontal pair over the whole plane as one flat loop (pairs never
// straddle rows), then of each vertical pair of those, row by row. Ties and NaN resolve as in
// the one-pass loop (the earlier value wins a tie; the first NaN in reading order wins).
// `pair_max`/`pair_index` hold height·width/2 entries.
static inline __attribute__((always_inline)) void dd_maxpool_2x2_plane_two_pass(
    const float *restrict plane, float *restrict out, int32_t *restrict index, int width, int out_h, int out_w,
    float *restrict pair_max, int32_t *restrict pair_index, const int keep) {
    const int pairs = out_h * 2 * out_w;
    for (int j = 0; j < pairs; ++j) {
        const float a = plane[2 * j], b = plane[2 * j + 1];
        const int take = (b > a) | ((b != b) & (a == a));
        pair_max[j] = take ? b : a;
        if (keep) pair_index[j] = take ? 2 * j + 1 : 2 * j;
    }
    (void)width;
    for (int oh = 0; oh < out_h; ++oh) {
        const float *top = pair_max + (2 * oh) * out_w, *bottom = top + out_w;
        const int32_t *top_index = pair_index + (2 * oh) * out_w, *bottom_index = top_index + out_w;
        float *row = out + oh * out_w;
        int32_t *row_index = keep ? index + oh * out_w : NULL;
        // Rows of 7 or 14 outputs are too short for the loop vectorizer, and scalar float selects
        // become branches that random data mispredicts: four outputs at a time with explicit
        // vectors and mask blends, the last four overlapping the previous ones when out_w is
        // not a multiple of 4 (recomputing an output writes the same value).
        if (out_w >= 4) {
            for (int start = 0; start < out_w; start += 4) {
                const int ow = start + 4 <= out_w ? start : out_w - 4;
                dd_f4 t, u;
                memcpy(&t, top + ow, sizeof t);
                memcpy(&u, bottom + ow, sizeof u);
                const dd_i4 mask = (u > t) | ((u != u) & (t == t));
                dd_i4 tb, ub;
                memcpy(&tb, &t, sizeof tb);
                memcpy(&ub, &u, sizeof ub);
                const dd_i4 chosen = (tb & ~mask) | (ub & mask);
                memcpy(row + ow, &chosen, sizeof chosen);
                if (keep) {
                    dd_i4 ti, bi;
                    memcpy(&ti, top_index + ow, sizeof ti);
                    memcpy(&bi, bottom_index + ow, sizeof bi);
                    const dd_i4 index_chosen = (ti & ~mask) | (bi & mask);
                    memcpy(row_index + ow, &index_chosen, sizeof index_chosen);
                }
            }
            continue;
        }
        for (int ow = 0; ow < out_w; ++ow) {
            const float t = top[ow], u = bottom[ow];
            const int take = (u > t) | ((u != u) & (t == t));
            row[ow] = take ? u : t;
            if (keep) row_index[ow] = take ? bottom_index[ow] : top_index[ow];
        }
    }
}

// Max pooling of one plane without indices (inference), in passes that vectorize: for each output
// row, the element-wise maximum of its window's input rows, written into `padded` between
// −∞ borders (pad_w on the left, up to the last window on the right); then the maximum of each
// run of kernel_w neighbours for every position (`windows`); then every stride_w-th of those.
// NaN wins, as in the indexed loop.
static inline float nan_max(float best, float v) { return (v > best || v != v) && best == best ? v : best; }

// Floats of `padded` and of `windows` for a row of `width`.
static inline size_t maxpool_row_floats(int width, int kernel_w, int stride_w, int pad_w, int out_w, size_t *span) {
    const size_t right = (size_t)(out_w - 1) * stride_w + kernel_w, inner = (size_t)width + pad_w;
    *span = (size_t)(out_w - 1) * stride_w + 1;
    return right > inner ? right : inner;
}

static void dd_maxpool_plane_values(const float *restrict plane, float *restrict out, float *restrict buffer, int height,
                                    int width, int kernel_h, int kernel_w, int stride_h, int stride_w, int pad_h, int pad_w,
                                    int out_h, int out_w) {
    size_t span;
    const size_t length = maxpool_row_floats(width, kernel_w, stride_w, pad_w, out_w, &span);
    float *restrict padded = buffer, *restrict windows = buffer + length, *restrict inner = padded + pad_w;
    for (size_t i = 0; i < length; ++i) padded[i] = -INFINITY;
    for (int oh = 0; oh < out_h; ++oh) {
        const int h0 = oh * stride_h - pad_h;
        const int h_start = h0 < 0 ? 0 : h0, h_end = h0 + kernel_h < height ? h0 + kernel_h : height;
        for (int w = 0; w < width; ++w) inner[w] = -INFINITY;
        for (int h = h_start; h < h_end; ++h) {
            const float *restrict row = plane + (size_t)h * width;
            for (int w = 0; w < width; ++w) inner[w] = nan_max(inner[w], row[w]);
        }
        for (size_t j = 0; j < span; ++j) windows[j] = padded[j];
        for (int t = 1; t < kernel_w; ++t) {
            for (size_t j = 0; j < span; ++j) windows[j] = nan_max(windows[j], padded[j + t]);
        }
        float *restrict dst = out + (size_t)oh * out_w;
        for (int ow = 0; ow < out_w; ++ow) dst[ow] = windows[(size_t)ow * stride_w];
    }
}

DD_HOT void dd_maxpool_forward(const float *restrict x, float *restrict y, int32_t *restrict argmax, size_t p0, size_t p1,
                               int height, int width, int kernel_h, int kernel_w, int stride_h, int stride_w,
                               int pad_h, int pad_w, int out_h, int out_w) {
    const size_t in_plane = (size_t)height * width, out_plane = (size_t)out_h * out_w;
    const int simple = kernel_h == 2 && kernel_w == 2 && stride_h == 2 && stride_w == 2 && pad_h == 0 && pad_w == 0
        && 2 * out_h <= height && 2 * out_w <= width;
    const int exact = simple && 2 * out_h == height && 2 * out_w == width;
    float *pair_max = exact ? malloc(in_plane / 2 * sizeof(float)) : NULL;
    int32_t *pair_index = exact ? malloc(in_plane / 2 * sizeof(int32_t)) : NULL;
    size_t span = 0;
    const size_t row_floats = maxpool_row_floats(width, kernel_w, stride_w, pad_w, out_w, &span);
    float *rows = !simple && !argmax && out_w > 0 ? malloc((row_floats + span) * sizeof(float)) : NULL;
    for (size_t p = p0; p < p1; ++p) {
        const float *plane = x + p * in_plane;
        float *out = y + p * out_plane;
        int32_t *index = argmax ? argmax + p * out_plane : NULL;
        if (rows) {
            dd_maxpool_plane_values(plane, out, rows, height, width, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w,
                                    out_h, out_w);
            continue;
        }
        if (pair_max && pair_index) {
            if (index) dd_maxpool_2x2_plane_two_pass(plane, out, index, width, out_h, out_w, pair_max, pair_index, 1);
            else dd_maxpool_2x2_plane_two_pass(plane, out, NULL, width, out_h, out_w, pair_max, pair_index, 0);
            continue;
        }
        if (simple) {
            if (index) dd_maxpool_2x2_plane(plane, out, index, width, out_h, out_w, 1);
            else dd_maxpool_2x2_plane(plane, out, NULL, width, out_h, out_w, 0);
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
    free(pair_max);
    free(pair_index);
    free(rows);
}
