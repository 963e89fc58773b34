// Direct (7-loop) convolution and its gradients: the reference for the im2col + GEMM kernels.
#include "CDendrite.h"

#define X_AT(n, c, h, w) x[(((size_t)(n) * g->in_channels + (c)) * g->in_h + (h)) * g->in_w + (w)]
#define DX_AT(n, c, h, w) dx[(((size_t)(n) * g->in_channels + (c)) * g->in_h + (h)) * g->in_w + (w)]
#define Y_AT(n, c, h, w) y[(((size_t)(n) * g->out_channels + (c)) * g->out_h + (h)) * g->out_w + (w)]
#define DY_AT(n, c, h, w) dy[(((size_t)(n) * g->out_channels + (c)) * g->out_h + (h)) * g->out_w + (w)]
#define W_AT(o, c, i, j) w[(((size_t)(o) * cpg + (c)) * g->kernel_h + (i)) * g->kernel_w + (j)]
#define DW_AT(o, c, i, j) dw[(((size_t)(o) * cpg + (c)) * g->kernel_h + (i)) * g->kernel_w + (j)]

void dd_conv2d_forward_naive(float *y, const float *x, const float *w, const float *bias,
                             const dd_conv_geometry *g) {
    const int cpg = g->in_channels / g->groups, opg = g->out_channels / g->groups;
    for (int n = 0; n < g->batch; ++n)
        for (int o = 0; o < g->out_channels; ++o) {
            const int group = o / opg;
            for (int oh = 0; oh < g->out_h; ++oh)
                for (int ow = 0; ow < g->out_w; ++ow) {
                    double acc = bias ? bias[o] : 0.0;
                    for (int c = 0; c < cpg; ++c)
                        for (int i = 0; i < g->kernel_h; ++i) {
                            const int ih = oh * g->stride_h - g->pad_h + i * g->dilation_h;
                            if (ih < 0 || ih >= g->in_h) continue;
                            for (int j = 0; j < g->kernel_w; ++j) {
                                const int iw = ow * g->stride_w - g->pad_w + j * g->dilation_w;
                                if (iw < 0 || iw >= g->in_w) continue;
                                acc += (double)X_AT(n, group * cpg + c, ih, iw) * W_AT(o, c, i, j);
                            }
                        }
                    Y_AT(n, o, oh, ow) = (float)acc;
                }
        }
}

void dd_conv2d_backward_input_naive(float *dx, const float *dy, const float *w,
                                    const dd_conv_geometry *g) {
    const int cpg = g->in_channels / g->groups, opg = g->out_channels / g->groups;
    for (int n = 0; n < g->batch; ++n)
        for (int o = 0; o < g->out_channels; ++o) {
            const int group = o / opg;
            for (int oh = 0; oh < g->out_h; ++oh)
                for (int ow = 0; ow < g->out_w; ++ow) {
                    const float grad = DY_AT(n, o, oh, ow);
                    for (int c = 0; c < cpg; ++c)
                        for (int i = 0; i < g->kernel_h; ++i) {
                            const int ih = oh * g->stride_h - g->pad_h + i * g->dilation_h;
                            if (ih < 0 || ih >= g->in_h) continue;
                            for (int j = 0; j < g->kernel_w; ++j) {
                                const int iw = ow * g->stride_w - g->pad_w + j * g->dilation_w;
                                if (iw < 0 || iw >= g->in_w) continue;
                                DX_AT(n, group * cpg + c, ih, iw) += grad * W_AT(o, c, i, j);
                            }
                        }
                }
        }
}

void dd_conv2d_backward_weight_naive(float *dw, const float *dy, const float *x,
                                     const dd_conv_geometry *g) {
    const int cpg = g->in_channels / g->groups, opg = g->out_channels / g->groups;
    for (int o = 0; o < g->out_channels; ++o) {
        const int group = o / opg;
        for (int c = 0; c < cpg; ++c)
            for (int i = 0; i < g->kernel_h; ++i)
                for (int j = 0; j < g->kernel_w; ++j) {
                    double acc = 0.0;
                    for (int n = 0; n < g->batch; ++n)
                        for (int oh = 0; oh < g->out_h; ++oh) {
                            const int ih = oh * g->stride_h - g->pad_h + i * g->dilation_h;
                            if (ih < 0 || ih >= g->in_h) continue;
                            for (int ow = 0; ow < g->out_w; ++ow) {
                                const int iw = ow * g->stride_w - g->pad_w + j * g->dilation_w;
                                if (iw < 0 || iw >= g->in_w) continue;
                                acc += (double)DY_AT(n, o, oh, ow) * X_AT(n, group * cpg + c, ih, iw);
                            }
                        }
                    DW_AT(o, c, i, j) += (float)acc;
                }
    }
}

void dd_conv2d_backward_bias_naive(float *db, const float *dy, const dd_conv_geometry *g) {
    const size_t plane = (size_t)g->out_h * g->out_w;
    for (int o = 0; o < g->out_channels; ++o) {
        double acc = 0.0;
        for (int n = 0; n < g->batch; ++n) {
            const float *p = dy + ((size_t)n * g->out_channels + o) * plane;
            for (size_t q = 0; q < plane; ++q) acc += p[q];
        }
        db[o] += (float)acc;
    }
}
