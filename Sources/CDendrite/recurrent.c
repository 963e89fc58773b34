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

DD_HOT void dd_lstm_step_forward(int64_t batch, int64_t hidden, float *gates, const float *c_prev, float *c_next,
                                 float *m, const float *h_prev, int64_t h_prev_width, const int64_t *lengths, int64_t t) {
    for (int64_t b = 0; b < batch; b++) {
        float *restrict gi = gates + b * 4 * hidden, *restrict gf = gi + hidden, *restrict gg = gf + hidden, *restrict go = gg + hidden;
        const float *restrict cp = c_prev + b * hidden;
        float *restrict cn = c_next + b * hidden, *restrict mb = m + b * hidden;
        if (!dd_active(lengths, b, t)) {
            memcpy(cn, cp, (size_t)hidden * sizeof(float));
            if (h_prev) memcpy(mb, h_prev + b * h_prev_width, (size_t)hidden * sizeof(float));
            else memset(mb, 0, (size_t)hidden * sizeof(float));
            continue;
        }
        for (int64_t j = 0; j < hidden; j++) {
            const float i = dd_sigmoid(gi[j]), f = dd_sigmoid(gf[j]), g = dd_tanh(gg[j]), o = dd_sigmoid(go[j]);
            const float c = f * cp[j] + i * g;
            gi[j] = i; gf[j] = f; gg[j] = g; go[j] = o;
            cn[j] = c;
            mb[j] = o * dd_tanh(c);
        }
    }
}

DD_HOT void dd_lstm_step_backward(int64_t batch, int64_t hidden, const float *gates, const float *c_prev,
                                  const float *c_next, const float *dm, float *dc, float *dgates,
                                  const int64_t *lengths, int64_t t) {
    for (int64_t b = 0; b < batch; b++) {
        const float *restrict gi = gates + b * 4 * hidden, *restrict gf = gi + hidden, *restrict gg = gf + hidden, *restrict go = gg + hidden;
        float *restrict di = dgates + b * 4 * hidden, *restrict df = di + hidden, *restrict dg = df + hidden, *restrict dout = dg + hidden;
        const float *restrict cp = c_prev + b * hidden, *restrict cn = c_next + b * hidden, *restrict d = dm + b * hidden;
        float *restrict dcb = dc + b * hidden;
        if (!dd_active(lengths, b, t)) { memset(di, 0, (size_t)(4 * hidden) * sizeof(float)); continue; }
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
}

DD_HOT void dd_gru_step_forward(int64_t batch, int64_t hidden, float *xg, const float *hg, const float *h_prev,
                                float *h_next, float *hn_saved, const int64_t *lengths, int64_t t) {
    for (int64_t b = 0; b < batch; b++) {
        float *restrict xr = xg + b * 3 * hidden, *restrict xz = xr + hidden, *restrict xn = xz + hidden;
        const float *restrict hr = hg + b * 3 * hidden, *restrict hz = hr + hidden, *restrict hn = hz + hidden;
        const float *restrict hp = h_prev + b * hidden;
        float *restrict out = h_next + b * hidden, *restrict saved = hn_saved + b * hidden;
        if (!dd_active(lengths, b, t)) { memcpy(out, hp, (size_t)hidden * sizeof(float)); continue; }
        for (int64_t j = 0; j < hidden; j++) {
            const float r = dd_sigmoid(xr[j] + hr[j]), z = dd_sigmoid(xz[j] + hz[j]);
            const float n = dd_tanh(xn[j] + r * hn[j]);
            xr[j] = r; xz[j] = z; xn[j] = n;
            saved[j] = hn[j];
            out[j] = (1.0f - z) * n + z * hp[j];
        }
    }
}

DD_HOT void dd_gru_step_backward(int64_t batch, int64_t hidden, const float *gates, const float *hn_saved,
                                 const float *h_prev, float *dh, float *dgx, float *dgh,
                                 const int64_t *lengths, int64_t t) {
    for (int64_t b = 0; b < batch; b++) {
        const float *restrict gr = gates + b * 3 * hidden, *restrict gz = gr + hidden, *restrict gn = gz + hidden;
        const float *restrict hn = hn_saved + b * hidden, *restrict hp = h_prev + b * hidden;
        float *restrict d = dh + b * hidden;
        float *restrict dxr = dgx + b * 3 * hidden, *restrict dxz = dxr + hidden, *restrict dxn = dxz + hidden;
        float *restrict dhr = dgh + b * 3 * hidden, *restrict dhz = dhr + hidden, *restrict dhn = dhz + hidden;
        if (!dd_active(lengths, b, t)) {
            memset(dxr, 0, (size_t)(3 * hidden) * sizeof(float));
            memset(dhr, 0, (size_t)(3 * hidden) * sizeof(float));
            continue;
        }
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
