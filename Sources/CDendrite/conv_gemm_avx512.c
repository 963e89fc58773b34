// A convolution's forward product on the AVX-512 GEMM without its column matrix: the panels of
// B = im2col(image) are packed straight from the image, so the columns are neither written to a
// buffer nor read back from it. Measured: as fast as im2col + packing within this VM's noise, and
// 10 MiB less peak memory for ResNet-18 (the stem's 7.4 MB column matrix). Row p = (c·KH + ki)·KW
// + kj, column j = oh·OW + ow: image[c][oh·SH − PH + ki·DH][ow·SW − PW + kj·DW], zero in the
// padding — exactly dd_im2col's matrix, which stays the reference (the tests compare the products).
#include "CDendrite.h"
#include "sgemm_avx512_internal.h"


typedef struct {
    const float *image;
    const dd_conv_geometry *g;
    int64_t column_first;   // the product's column 0: output pixel (forward) or tap (weight gradient) column_first
} image_source;

// The first output column whose input column o·stride + offset is at least `bound`.
static inline int64_t first_pixel_at(int64_t bound, int64_t offset, int64_t stride) {
    const int64_t distance = bound - offset;
    return distance <= 0 ? 0 : (distance + stride - 1) / stride;
}

static inline int64_t clamp_run(int64_t value, int64_t low, int64_t high) {
    return value < low ? low : value > high ? high : value;
}

// One output row's share of a panel: pixels ow ..< ow + count of output row oh, at `filled`.
typedef struct {
    int64_t oh, ow, count, filled;
} pixel_run;

// Output pixels first ..< first + count split at the ends of output rows (OW wide); their number.
static inline int split_into_runs(int64_t first, int64_t count, int64_t OW, pixel_run *runs) {
    int64_t oh = first / OW, ow = first % OW, filled = 0;
    int run_count = 0;
    while (filled < count) {
        const int64_t length = count - filled < OW - ow ? count - filled : OW - ow;
        runs[run_count++] = (pixel_run){oh, ow, length, filled};
        filled += length;
        ow = 0;
        oh++;
    }
    return run_count;
}

// What one tap (a row of the column matrix: channel c, kernel position ki, kj) reads: its input
// plane, the input row of output row 0, and the output columns from which its input column is
// ≥ 0 (`inside`) and ≥ W (`outside`).
typedef struct {
    int c, ki, kj;
    const float *plane;
    int offset;
    int64_t row_offset, inside, outside;
} tap_reads;

static inline void locate_tap(tap_reads *t, const image_source *s) {
    const dd_conv_geometry *g = s->g;
    t->plane = s->image + (int64_t)t->c * g->in_h * g->in_w;
    t->offset = t->kj * g->dilation_w - g->pad_w;
    t->row_offset = (int64_t)t->ki * g->dilation_h - g->pad_h;
    t->inside = first_pixel_at(0, t->offset, g->stride_w);
    t->outside = first_pixel_at(g->in_w, t->offset, g->stride_w);
}

// Tap `index` (its position, then what it reads).
static inline tap_reads tap_at(int64_t index, const image_source *s) {
    const int KH = s->g->kernel_h, KW = s->g->kernel_w;
    tap_reads t = {(int)(index / (KH * KW)), (int)(index / KW % KH), (int)(index % KW), 0, 0, 0, 0, 0};
    locate_tap(&t, s);
    return t;
}

// The next tap, stepped without divisions.
static inline void next_tap(tap_reads *t, const image_source *s) {
    if (++t->kj == s->g->kernel_w) {
        t->kj = 0;
        if (++t->ki == s->g->kernel_h) {
            t->ki = 0;
            t->c++;
        }
    }
    locate_tap(t, s);
}

DD_HOT static void pack_b_from_image(const void *source, int64_t p0, int64_t kc, int64_t j0, int64_t nr, float *packed) {
    const image_source *s = source;
    const int H = s->g->in_h, W = s->g->in_w, SH = s->g->stride_h, SW = s->g->stride_w;
    // The panel's columns cross output rows: the same runs for every row of the panel.
    pixel_run runs[DD_SGEMM_NR];
    const int run_count = split_into_runs(s->column_first + j0, nr, s->g->out_w, runs);
    tap_reads tap = tap_at(p0, s);   // row p0 + kk of the column matrix
    for (int64_t kk = 0; kk < kc; kk++) {
        if (kk > 0) next_tap(&tap, s);
        float *out = packed + kk * DD_SGEMM_NR;
        for (int r = 0; r < run_count; r++) {
            const int64_t ow = runs[r].ow, count = runs[r].count, ih = runs[r].oh * SH + tap.row_offset;
            float *dst = out + runs[r].filled;
            // Runs are short (an output row, at most a panel's 48 pixels): plain loops, not library calls.
            if (ih < 0 || ih >= H) {
                for (int64_t t = 0; t < count; t++) dst[t] = 0.0f;
                continue;
            }
            // Pixel t of the run reads input column (ow + t)·SW + offset: zero left of column 0 and
            // from column W on, read in between (a copy at stride 1, no branches at any).
            const float *row = tap.plane + ih * W;
            const int64_t lo = clamp_run(tap.inside - ow, 0, count), hi = clamp_run(tap.outside - ow, lo, count);
            for (int64_t t = 0; t < lo; t++) dst[t] = 0.0f;
            if (SW == 1) {
                const float *start = row + ow + tap.offset;
                for (int64_t t = lo; t < hi; t++) dst[t] = start[t];
            } else if (SW == 2) {
                const float *start = row + 2 * ow + tap.offset;
                for (int64_t t = lo; t < hi; t++) dst[t] = start[2 * t];
            } else {
                for (int64_t t = lo; t < hi; t++) dst[t] = row[(ow + t) * SW + tap.offset];
            }
            for (int64_t t = hi; t < count; t++) dst[t] = 0.0f;
        }
        for (int64_t t = nr; t < DD_SGEMM_NR; t++) out[t] = 0.0f;
    }
}

// The weight gradient's operand op(B) = colsᵀ: row kk of the panel is output pixel p0 + kk, column
// jj is tap j0 + jj, read from the image tap by tap (each tap's pixels along an output row are
// neighbours in the input) and written down the panel's column.
DD_HOT static void pack_bt_from_image(const void *source, int64_t p0, int64_t kc, int64_t j0, int64_t nr, float *packed) {
    const image_source *s = source;
    const int H = s->g->in_h, W = s->g->in_w, SH = s->g->stride_h, SW = s->g->stride_w;
    pixel_run runs[DD_SGEMM_KC];
    const int run_count = split_into_runs(p0, kc, s->g->out_w, runs);
    tap_reads tap = tap_at(s->column_first + j0, s);   // column jj of the panel
    for (int64_t jj = 0; jj < nr; jj++) {
        if (jj > 0) next_tap(&tap, s);
        float *column = packed + jj;
        for (int r = 0; r < run_count; r++) {
            const int64_t ow = runs[r].ow, count = runs[r].count, ih = runs[r].oh * SH + tap.row_offset;
            float *dst = column + runs[r].filled * DD_SGEMM_NR;
            if (ih < 0 || ih >= H) {
                for (int64_t t = 0; t < count; t++) dst[t * DD_SGEMM_NR] = 0.0f;
                continue;
            }
            const float *row = tap.plane + ih * W;
            const int64_t lo = clamp_run(tap.inside - ow, 0, count), hi = clamp_run(tap.outside - ow, lo, count);
            for (int64_t t = 0; t < lo; t++) dst[t * DD_SGEMM_NR] = 0.0f;
            for (int64_t t = lo; t < hi; t++) dst[t * DD_SGEMM_NR] = row[(ow + t) * SW + tap.offset];
            for (int64_t t = hi; t < count; t++) dst[t * DD_SGEMM_NR] = 0.0f;
        }
    }
    for (int64_t kk = 0; kk < kc; kk++) {
        for (int64_t t = nr; t < DD_SGEMM_NR; t++) packed[kk * DD_SGEMM_NR + t] = 0.0f;
    }
}

void dd_conv_gemm_avx512(int64_t m, int64_t n, const float *a, int64_t lda, const float *image, int channels,
                         const dd_conv_geometry *g, int64_t column_first, float *c, int64_t ldc, int accumulate,
                         float *workspace) {
    const image_source source = {image, g, column_first};
    const int64_t k = (int64_t)channels * g->kernel_h * g->kernel_w;
    dd_sgemm_avx512_packing_b(0, m, n, k, a, lda, pack_b_from_image, &source, c, ldc, accumulate, workspace);
}

void dd_conv_weight_gradient_avx512(int64_t m, int64_t n, int64_t plane, const float *a, int64_t lda, const float *image,
                                    const dd_conv_geometry *g, int64_t tap_first, float *c, int64_t ldc, float *workspace) {
    const image_source source = {image, g, tap_first};
    dd_sgemm_avx512_packing_b(0, m, n, plane, a, lda, pack_bt_from_image, &source, c, ldc, 1, workspace);
}
