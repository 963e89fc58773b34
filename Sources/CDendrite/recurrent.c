// The per-step kernels of the recurrent layers (RNN, LSTM, GRU): the gate nonlinearities and the
// state update fused into one pass forward and one backward, with PyTorch's gate orders (LSTM
// i, f, g, o; GRU r, z, n). The GEMMs around them (input projection of all steps, one hidden
// product per step) run in OpenBLAS; see Sources/Dendrite/Kernels/RecurrentKernels*.swift.
//
// `lengths` (may be NULL) gives each batch row's sequence length: row b takes part in step t only
// when t < lengths[b]; otherwise its state passes through unchanged and its output is zero —
// PyTorch's packed-sequence semantics, for sequences in either direction.
#include "CDendrite.h"
#include "fast_exp.h"

static inline int dd_active(const int64_t *lengths, int64_t b, int64_t t) {
    return lengths == NULL || lengths[b] > t;
}

DD_HOT void dd_rnn_step_forward(int64_t batch, int64_t hidden, const float *pre, const float *h_prev, float *h_next,
                                int relu, const int64_t *lengths, int64_t t) {
    for (int64_t b = 0; b < batch; b++) {
        const float *p = pre + b * hidden, *hp = h_prev + b * hidden;
        float *hn = h_next + b * hidden;
        if (!dd_active(lengths, b, t)) { memcpy(hn, hp, (size_t)hidden * sizeof(float)); continue; }
        if (relu) { for (int64_t j = 0; j < hidden; j++) hn[j] = p[j] > 0.0f ? p[j] : 0.0f; }
        else { for (int64_t j = 0; j < hidden; j++) hn[j] = dd_tanh(p[j]); }
    }
}

DD_HOT void dd_rnn_step_backward(int64_t batch, int64_t hidden, const float *h_next, float *dh, float *dpre,
                                 int relu, const int64_t *lengths, int64_t t) {
    for (int64_t b = 0; b < batch; b++) {
        const float *h = h_next + b * hidden;
        float *d = dh + b * hidden, *dp = dpre + b * hidden;
        if (!dd_active(lengths, b, t)) { memset(dp, 0, (size_t)hidden * sizeof(float)); continue; }
        if (relu) { for (int64_t j = 0; j < hidden; j++) dp[j] = h[j] > 0.0f ? d[j] : 0.0f; }
        else { for (int64_t j = 0; j < hidden; j++) dp[j] = d[j] * (1.0f - h[j] * h[j]); }
        memset(d, 0, (size_t)hidden * sizeof(float));
    }
}

// The row kernels below take their arrays as restrict parameters, which clang honours (it ignores
// restrict on local pointers, and then guarded the vector loop with overlap checks that sent the
// rows down the scalar path), and are always inlined, so that each target clone of the step
// kernel gets its own vector code: the LSTM step forward went from 14 to 1.7 ms per 64 steps of
// 32×256 (Docs/Benchmarks.md).
static inline __attribute__((always_inline)) void dd_lstm_row_forward(int64_t hidden, float *restrict gi, float *restrict gf, float *restrict gg,
                                       float *restrict go, const float *restrict cp, float *restrict cn, float *restrict mb) {
    for (int64_t j = 0; j < hidden; j++) {
        const float i = dd_sigmoid(gi[j]), f = dd_sigmoid(gf[j]), g = dd_tanh(gg[j]), o = dd_sigmoid(go[j]);
        const float c = f * cp[j] + i * g;
        gi[j] = i; gf[j] = f; gg[j] = g; go[j] = o;
        cn[j] = c;
        mb[j] = o * dd_tanh(c);
    }
}

DD_HOT void dd_lstm_step_forward(int64_t batch, int64_t hidden, float *gates, const float *c_prev, float *c_next,
                                 float *m, const float *h_prev, int64_t h_prev_width, const int64_t *lengths, int64_t t) {
    for (int64_t b = 0; b < batch; b++) {
        float *gi = gates + b * 4 * hidden;
        const float *cp = c_prev + b * hidden;
        float *cn = c_next + b * hidden, *mb = m + b * hidden;
        if (!dd_active(lengths, b, t)) {
            memcpy(cn, cp, (size_t)hidden * sizeof(float));
            if (h_prev) memcpy(mb, h_prev + b * h_prev_width, (size_t)hidden * sizeof(float));
            else memset(mb, 0, (size_t)hidden * sizeof(float));
            continue;
        }
        dd_lstm_row_forward(hidden, gi, gi + hidden, gi + 2 * hidden, gi + 3 * hidden, cp, cn, mb);
    }
}

static inline __attribute__((always_inline)) void dd_lstm_row_backward(
    int64_t hidden, const float *restrict gi, const float *restrict gf, const float *restrict gg, const float *restrict go,
    const float *restrict cp, const float *restrict cn, const float *restrict d, float *restrict dcb,
    float *restrict di, float *restrict df, float *restrict dg, float *restrict dout) {
    for (int64_t j = 0; j < hidden; j++) {
        const float i = gi[j], f = gf[j], g = gg[j], o = go[j];
        const float tc = dd_tanh(cn[j]);
        const float total = dcb[j] + d[j] * o * (1.0f - tc * tc);
        di[j] = total * g * i * (1.0f - i);
        df[j] = total * cp[j] * f * (1.0f - f);
        dg[j] = total * i * (1.0f - g * g);
        dout[j] = d[j] * tc * o * (1.0f - o);
        dcb[j] = total * f;
    }
}

DD_HOT void dd_lstm_step_backward(int64_t batch, int64_t hidden, const float *gates, const float *c_prev,
                                  const float *c_next, const float *dm, float *dc, float *dgates,
                                  const int64_t *lengths, int64_t t) {
    for (int64_t b = 0; b < batch; b++) {
        const float *gi = gates + b * 4 * hidden;
        float *di = dgates + b * 4 * hidden;
        if (!dd_active(lengths, b, t)) { memset(di, 0, (size_t)(4 * hidden) * sizeof(float)); continue; }
        dd_lstm_row_backward(hidden, gi, gi + hidden, gi + 2 * hidden, gi + 3 * hidden, c_prev + b * hidden, c_next + b * hidden,
                             dm + b * hidden, dc + b * hidden, di, di + hidden, di + 2 * hidden, di + 3 * hidden);
    }
}

static inline __attribute__((always_inline)) void dd_gru_row_forward(
    int64_t hidden, float *restrict xr, float *restrict xz, float *restrict xn, const float *restrict hr,
    const float *restrict hz, const float *restrict hn, const float *restrict hp, float *restrict out, float *restrict saved) {
    for (int64_t j = 0; j < hidden; j++) {
        const float r = dd_sigmoid(xr[j] + hr[j]), z = dd_sigmoid(xz[j] + hz[j]);
        const float n = dd_tanh(xn[j] + r * hn[j]);
        xr[j] = r; xz[j] = z; xn[j] = n;
        saved[j] = hn[j];
        out[j] = (1.0f - z) * n + z * hp[j];
    }
}

DD_HOT void dd_gru_step_forward(int64_t batch, int64_t hidden, float *xg, const float *hg, const float *h_prev,
                                float *h_next, float *hn_saved, const int64_t *lengths, int64_t t) {
    for (int64_t b = 0; b < batch; b++) {
        float *xr = xg + b * 3 * hidden;
        const float *hr = hg + b * 3 * hidden, *hp = h_prev + b * hidden;
        if (!dd_active(lengths, b, t)) { memcpy(h_next + b * hidden, hp, (size_t)hidden * sizeof(float)); continue; }
        dd_gru_row_forward(hidden, xr, xr + hidden, xr + 2 * hidden, hr, hr + hidden, hr + 2 * hidden, hp, h_next + b * hidden,
                           hn_saved + b * hidden);
    }
}

static inline __attribute__((always_inline)) void dd_gru_row_backward(
    int64_t hidden, const float *restrict gr, const float *restrict gz, const float *restrict gn, const float *restrict hn,
    const float *restrict hp, float *restrict d, float *restrict dxr, float *restrict dxz, float *restrict dxn,
    float *restrict dhr, float *restrict dhz, float *restrict dhn) {
    for (int64_t j = 0; j < hidden; j++) {
        const float r = gr[j], z = gz[j], n = gn[j], g = d[j];
        const float dn = g * (1.0f - z) * (1.0f - n * n);
        const float dz = g * (hp[j] - n) * z * (1.0f - z);
        const float dr = dn * hn[j] * r * (1.0f - r);
        dxr[j] = dr; dxz[j] = dz; dxn[j] = dn;
        dhr[j] = dr; dhz[j] = dz; dhn[j] = dn * r;
        d[j] = g * z;
    }
}

DD_HOT void dd_gru_step_backward(int64_t batch, int64_t hidden, const float *gates, const float *hn_saved,
                                 const float *h_prev, float *dh, float *dgx, float *dgh,
                                 const int64_t *lengths, int64_t t) {
    for (int64_t b = 0; b < batch; b++) {
        const float *gr = gates + b * 3 * hidden;
        float *dxr = dgx + b * 3 * hidden, *dhr = dgh + b * 3 * hidden;
        if (!dd_active(lengths, b, t)) {
            memset(dxr, 0, (size_t)(3 * hidden) * sizeof(float));
            memset(dhr, 0, (size_t)(3 * hidden) * sizeof(float));
            continue;
        }
        dd_gru_row_backward(hidden, gr, gr + hidden, gr + 2 * hidden, hn_saved + b * hidden, h_prev + b * hidden, dh + b * hidden,
                            dxr, dxr + hidden, dxr + 2 * hidden, dhr, dhr + hidden, dhr + 2 * hidden);
    }
}

void dd_rnn_masked_copy(int64_t batch, int64_t width, const float *source, int64_t source_stride,
                        float *destination, int64_t destination_stride, const int64_t *lengths, int64_t t) {
    for (int64_t b = 0; b < batch; b++) {
        float *to = destination + b * destination_stride;
        if (dd_active(lengths, b, t)) memcpy(to, source + b * source_stride, (size_t)width * sizeof(float));
        else memset(to, 0, (size_t)width * sizeof(float));
    }
}

void dd_rnn_zero_active_rows(int64_t batch, int64_t width, float *rows, const int64_t *lengths, int64_t t) {
    for (int64_t b = 0; b < batch; b++) {
        if (dd_active(lengths, b, t)) memset(rows + b * width, 0, (size_t)width * sizeof(float));
    }
}

void dd_rnn_copy_inactive_rows(int64_t batch, int64_t width, float *rows, const float *source,
                               const int64_t *lengths, int64_t t) {
    if (lengths == NULL) return;
    for (int64_t b = 0; b < batch; b++) {
        if (!dd_active(lengths, b, t)) memcpy(rows + b * width, source + b * width, (size_t)width * sizeof(float));
    }
}

DD_HOT void dd_rnn_add_active_rows(int64_t batch, int64_t width, float *rows, const float *source,
                                   int64_t source_stride, const int64_t *lengths, int64_t t) {
    for (int64_t b = 0; b < batch; b++) {
        if (!dd_active(lengths, b, t)) continue;
        float *to = rows + b * width;
        const float *from = source + b * source_stride;
        for (int64_t j = 0; j < width; j++) to[j] += from[j];
    }
}
