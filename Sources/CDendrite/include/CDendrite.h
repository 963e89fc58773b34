#ifndef CDENDRITE_H
#define CDENDRITE_H

// Hot loops get an AVX2+FMA (x86-64-v3) clone next to the portable one, picked at load time.
// Under ThreadSanitizer the clones' load-time resolvers would run before its runtime has started
// (a crash at load), so a thread-sanitized build keeps the portable version only.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define DD_HOT
#endif
#endif
#ifndef DD_HOT
#define DD_HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#endif


#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Geometry of one 2-D convolution over NCHW tensors (per-axis sizes).
typedef struct {
    int batch, in_channels, in_h, in_w;
    int out_channels, out_h, out_w;
    int kernel_h, kernel_w;
    int stride_h, stride_w;
    int pad_h, pad_w;
    int dilation_h, dilation_w;
    int groups;
} dd_conv_geometry;

/* ---- im2col / col2im (one image, one channel range) ------------------------------------- */

/// Unfolds `channels` planes of `image` ([channels, in_h, in_w]) into
/// `col` ([channels * kernel_h * kernel_w, out_h * out_w]); padded taps are zero.
void dd_im2col(const float *image, float *col, int channels, const dd_conv_geometry *g);

/// dd_im2col into a wider column matrix: each of its rows `row_stride` floats apart, so that
/// several images' columns sit side by side ([C·KH·KW, images·OH·OW]) for one GEMM.
void dd_im2col_strided(const float *image, float *col, int channels, const dd_conv_geometry *g, int64_t row_stride);

/// dd_im2col_strided for the column rows (c, ki, kj) row_first ..< row_first + row_count only, so that
/// several threads can unfold one image.
void dd_im2col_rows(const float *image, float *col, int channels, const dd_conv_geometry *g, int64_t row_stride,
                    int64_t row_first, int64_t row_count);

/// The batched GEMM's output [channels, images·plane] back to NCHW y [images, channels, plane],
/// × scale[c] + bias[c] (either may be NULL) and max(·, 0) when `relu`, in the same pass.
void dd_unbatch_planes(const float *wide, int64_t images, int64_t channels, int64_t plane, const float *scale,
                       const float *bias, int relu, float *y);

/// Folds `col` back into `image`, ACCUMULATING (image += fold(col)).
void dd_col2im(const float *col, float *image, int channels, const dd_conv_geometry *g);

/* ---- Naive reference kernels --------------------------------------------------------------- */

/// Row-major C = alpha * op(A) * op(B) + beta * C with a plain triple loop (double accumulator).
void dd_gemm_naive(int trans_a, int trans_b, int m, int n, int k, float alpha,
                   const float *a, int lda, const float *b, int ldb,
                   float beta, float *c, int ldc);

/* ---- AVX-512 SGEMM for the convolutions (sgemm_avx512.c) -------------------------------------------
 * C[m, n] (+= when accumulate) op(A)[m, k] · op(B)[k, n], row-major, op = transpose when trans_*;
 * `workspace` holds dd_sgemm_avx512_workspace(m, n) floats. Only where dd_sgemm_avx512_available(). */
int dd_sgemm_avx512_available(void);
int64_t dd_sgemm_avx512_workspace(int64_t m, int64_t n);
void dd_sgemm_avx512(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                     const float *b, int64_t ldb, float *c, int64_t ldc, int accumulate, float *workspace);

/* The kernel's packed operands, for producers that write them directly (the Winograd transforms):
 * A [m, k] as DD_SGEMM_KC-deep blocks of DD_SGEMM_MR-row panels, each panel k-major (MR values per
 * k); B [k, n] as KC-deep blocks of DD_SGEMM_NR-column panels, each k-major (NR values per k). Rows
 * or columns past m or n in the last panel are never stored back, whatever they hold. */
enum { DD_SGEMM_MR = 8, DD_SGEMM_NR = 48, DD_SGEMM_KC = 256 };
/// Floats of A [m, k] packed.
int64_t dd_sgemm_avx512_packed_a_size(int64_t m, int64_t k);
/// Floats of B [k, n] packed.
int64_t dd_sgemm_avx512_packed_b_size(int64_t k, int64_t n);
/// Where element (i, p) of A [m, k] lies in its packing.
static inline int64_t dd_sgemm_packed_a_index(int64_t m, int64_t k, int64_t i, int64_t p) {
    const int64_t rows = (m + DD_SGEMM_MR - 1) / DD_SGEMM_MR * DD_SGEMM_MR, p0 = p / DD_SGEMM_KC * DD_SGEMM_KC;
    const int64_t kc = k - p0 < DD_SGEMM_KC ? k - p0 : DD_SGEMM_KC;
    return p0 * rows + i / DD_SGEMM_MR * DD_SGEMM_MR * kc + (p - p0) * DD_SGEMM_MR + i % DD_SGEMM_MR;
}
/// Where element (p, j) of B [k, n] lies in its packing.
static inline int64_t dd_sgemm_packed_b_index(int64_t k, int64_t n, int64_t p, int64_t j) {
    const int64_t columns = (n + DD_SGEMM_NR - 1) / DD_SGEMM_NR * DD_SGEMM_NR, p0 = p / DD_SGEMM_KC * DD_SGEMM_KC;
    const int64_t kc = k - p0 < DD_SGEMM_KC ? k - p0 : DD_SGEMM_KC;
    return p0 * columns + j / DD_SGEMM_NR * DD_SGEMM_NR * kc + (p - p0) * DD_SGEMM_NR + j % DD_SGEMM_NR;
}
/// C[m, n] (+= when accumulate) A · cols, A [m, channels·KH·KW] read in place (row stride lda) and
/// cols = columns column_first ..< column_first + n of dd_im2col(image, channels, g), packed
/// straight from the image (conv_gemm_avx512.c). `workspace` as dd_sgemm_avx512's.
void dd_conv_gemm_avx512(int64_t m, int64_t n, const float *a, int64_t lda, const float *image, int channels,
                         const dd_conv_geometry *g, int64_t column_first, float *c, int64_t ldc, int accumulate,
                         float *workspace);
/// C[m, n] += A · colsᵀ, the weight gradient's product: A = dY [m, plane] read in place (row stride lda),
/// cols = rows (taps) tap_first ..< tap_first + n of dd_im2col(image, ·, g), packed straight from the
/// image (conv_gemm_avx512.c). `workspace` as dd_sgemm_avx512's.
void dd_conv_weight_gradient_avx512(int64_t m, int64_t n, int64_t plane, const float *a, int64_t lda, const float *image,
                                    const dd_conv_geometry *g, int64_t tap_first, float *c, int64_t ldc, float *workspace);
/// C[m, n] (+= when accumulate) A · B from both operands packed, on the calling thread.
void dd_sgemm_avx512_prepacked(int64_t m, int64_t n, int64_t k, const float *packed_a, const float *packed_b, float *c,
                               int64_t ldc, int accumulate);

/// Direct 7-loop convolution: y = conv(x, w) + bias (bias may be NULL). Overwrites y.
void dd_conv2d_forward_naive(float *y, const float *x, const float *w, const float *bias,
                             const dd_conv_geometry *g);

/// dx += conv_transpose(dy, w), directly.
void dd_conv2d_backward_input_naive(float *dx, const float *dy, const float *w,
                                    const dd_conv_geometry *g);

/// dw += correlation of x with dy, directly.
void dd_conv2d_backward_weight_naive(float *dw, const float *dy, const float *x,
                                     const dd_conv_geometry *g);

/// db[oc] += sum over batch and pixels of dy.
void dd_conv2d_backward_bias_naive(float *db, const float *dy, const dd_conv_geometry *g);

/* ---- Fused optimizer updates (in place; arrays must not overlap) ------------------------------ */

/// RMSprop without momentum or centering: s = αs + (1−α)d², p −= lr·d/(√s + ε), d = g + λp.
void dd_rmsprop_step(float *p, const float *g, float *square_avg, size_t n,
                     float lr, float alpha, float eps, float weight_decay);

/// Adam/AdamW without AMSGrad: p ← p·decay; d = g + l2·p; moments; p −= step·m/(√v/√c₂ + ε).
void dd_adam_step(float *p, const float *g, float *m, float *v, size_t n, float step_size,
                  float beta1, float beta2, float eps, float root_correction2, float l2, float decay);

/// SGD with momentum after the first step: b = μb + (1−τ)d; p −= lr·(nesterov ? d + μb : b).
void dd_sgd_momentum_step(float *p, const float *g, float *buffer, size_t n, float lr, float momentum,
                          float dampening, float weight_decay, int nesterov);

/// Σ x² accumulated in double (the squared gradient norm for clipping).
double dd_sum_of_squares(const float *x, size_t n);

/* ---- Process setup --------------------------------------------------------------------------- */

/// Exact GELU x·Φ(x) with Φ from Abramowitz–Stegun's erfc (|error| ≤ 1.5e-7): y = gelu(x).
void dd_gelu(const float *x, float *y, size_t n);
/// GELU and its derivative Φ(x) + x·φ(x) in one pass.
void dd_gelu_with_slope(const float *x, float *y, float *slope, size_t n);

/// Row-wise softmax (or log-softmax when `logarithm`) of `rows` rows of `columns`, max-subtracted;
/// −∞ entries get exactly 0 probability.
void dd_softmax_rows(const float *x, float *y, size_t rows, size_t columns, int logarithm);

/// Their backward pass, row by row: softmax `dx = y·(dy − Σ dy·y)`; log-softmax (`y` its output)
/// `dx = dy − e^y·Σ dy`.
void dd_softmax_backward_rows(const float *dy, const float *y, float *dx, size_t rows, size_t columns, int logarithm);

/// Adds to sums[c], for channels c0..<c1 of x [batch, channels, spatial], the channel's total
/// (planes summed vectorized, then added in double): the convolution bias gradient.
void dd_channel_sums(const float *x, size_t batch, size_t channels, size_t spatial, size_t c0, size_t c1, float *sums);

/// y[p, i] = x[p, i] · scale[p mod channels] + shift[p mod channels] for planes p of plane_first ..<
/// plane_first + plane_count (a batch norm's normalization as one affine map per channel).
void dd_scale_shift_planes(const float *x, float *y, size_t plane_first, size_t plane_count, size_t channels, size_t spatial,
                           const float *scale, const float *shift);

/// Per-channel mean and biased variance of x [batch, channels, spatial] for channels c0..<c1.
void dd_batchnorm_statistics(const float *x, size_t batch, size_t channels, size_t spatial, size_t c0, size_t c1,
                             float *mean, float *variance);
/// Batch-norm gradients for channels c0..<c1 (gamma may be NULL); `batch_statistics` 0 is eval mode.
/// With `dx` NULL only dgamma (Σ dy·x̂) and dbeta (Σ dy) are computed.
void dd_batchnorm_backward(const float *dy, const float *x, const float *mean, const float *inv_std, const float *gamma,
                           size_t batch, size_t channels, size_t spatial, size_t c0, size_t c1, int batch_statistics,
                           float *dx, float *dgamma, float *dbeta);
/// ∂L/∂x of batch norm with batch statistics for channels c0..<c1 from given per-channel sums
/// Σ dy and Σ dy·x̂ over `count` values — the sums over every process of a synchronized batch norm.
void dd_batchnorm_backward_input(const float *dy, const float *x, const float *mean, const float *inv_std, const float *gamma,
                                 size_t batch, size_t channels, size_t spatial, size_t c0, size_t c1,
                                 const double *sum_dy, const double *sum_dy_xhat, double count, float *dx);

/// Max pooling of planes p0..<p1 of x [planes, height, width] into y [planes, out_h, out_w], with
/// each window's argmax (flat index within its plane; `argmax` may be NULL); windows clipped to the image, NaN wins.
void dd_maxpool_forward(const float *x, float *y, int32_t *argmax, size_t p0, size_t p1, int height, int width,
                        int kernel_h, int kernel_w, int stride_h, int stride_w, int pad_h, int pad_w, int out_h, int out_w);

/// Layer norm of rows r0..<r1 (γ, β may be NULL), keeping each row's mean and 1/√(σ² + ε).
void dd_layernorm_forward(const float *x, const float *gamma, const float *beta, float *y, float *mean, float *inv_std,
                          size_t r0, size_t r1, size_t columns, float epsilon);
/// Layer-norm gradients of rows r0..<r1; adds into dgamma and dbeta.
void dd_layernorm_backward(const float *dy, const float *x, const float *gamma, const float *mean, const float *inv_std,
                           float *dx, float *dgamma, float *dbeta, size_t r0, size_t r1, size_t columns);

/// A 64-byte aligned buffer of at least `bytes` bytes for a tensor, or NULL when memory is
/// exhausted. Buffers of 64 KiB and more are mmap'd pages, reused after `dd_buffer_release`
/// through per-size free lists (at most twice the peak bytes in use at once, oldest evicted
/// first); smaller ones are malloc's.
void *dd_buffer_acquire(size_t bytes);
/// Returns a buffer from `dd_buffer_acquire` with the same `bytes`. Thread-safe, as is acquire.
void dd_buffer_release(void *buffer, size_t bytes);
/// Bytes of large buffers in use, the most ever in use at once, and kept for reuse.
void dd_buffer_statistics(size_t *live, size_t *peak_live, size_t *cached);

/// Makes OpenBLAS's idle worker threads sleep after spinning about 2^timeout_exponent cycles
/// instead of OpenBLAS's 2^28 (≈ 0.1 s), so that between two GEMMs they do not compete with
/// Dendrite's own loops for the cores. Does nothing when OPENBLAS_THREAD_TIMEOUT is set or the
/// OpenBLAS build lacks the thread-server entry points. Must run before other threads use BLAS.
/// Returns 1 when applied.
int dd_tune_blas_threads(int timeout_exponent);

/// y[c, i] = y[c, i] × scale[c] + bias[c] (either may be NULL), then max(·, 0) when `relu`: a
/// convolution image's planes [channels, plane] finished in one pass right after its GEMM, while
/// they are in cache (the scale carries an inference batch norm's).
void dd_bias_relu_planes(float *y, size_t channels, size_t plane, const float *scale, const float *bias, int relu);

/* ---- Winograd F(2×2, 3×3) (winograd.c) ---------------------------------------------------------- */
/// Filters w [k, c, 3, 3] transformed: u [16][k][c] = (G g Gᵀ) per position ξ.
void dd_winograd_filters(const float *w, int64_t k, int64_t c, float *u);
/// Input tiles of images image_first ..< image_first + image_count of x [n, c, h, w] transformed:
/// v [16][c][n·tiles_h·tiles_w] = (Bᵀ d B) per ξ, padding read as zeros.
void dd_winograd_inputs(const float *x, int64_t n, int64_t c, int64_t h, int64_t w, int64_t pad_h, int64_t pad_w,
                        int64_t tiles_h, int64_t tiles_w, int64_t image_first, int64_t image_count, float *v);
/// m [16][k][n·tiles] back to y [n, k, out_h, out_w] = (Aᵀ m A) × scale + bias (either may be NULL),
/// max(·, 0) when `relu`, for images image_first ..< image_first + image_count.
void dd_winograd_outputs(const float *m, int64_t n, int64_t k, int64_t out_h, int64_t out_w, int64_t tiles_h, int64_t tiles_w,
                         const float *scale, const float *bias, int relu, int64_t image_first, int64_t image_count, float *y);

/* ---- Winograd F(2×2, 3×3) with AVX-512 (winograd_avx512.c) --------------------------------------- */
/* The same transforms as above, writing the AVX-512 GEMM's packed operands (U[ξ] as A [k, c], V[ξ]
 * as B [c, P], each 16 of them dd_sgemm_avx512_packed_*_size floats apart) and split by panels or
 * planes so that one image's transforms use every core. Only where dd_winograd_avx512_available(). */
int dd_winograd_avx512_available(void);
/// Filters w [k, c, 3, 3] → 16 packed U [k, c], for the 8-output-channel panels panel_first ..< + panel_count.
void dd_winograd_filters_packed(const float *w, int64_t k, int64_t c, int64_t panel_first, int64_t panel_count, float *u);
/// Input tiles of tile rows (image · tiles_h + tile row) row_first ..< + row_count, every channel → 16
/// packed V [c, n·tiles].
void dd_winograd_inputs_packed(const float *x, int64_t n, int64_t c, int64_t h, int64_t w, int64_t pad_h, int64_t pad_w,
                               int64_t tiles_h, int64_t tiles_w, int64_t row_first, int64_t row_count, float *v);
/// dd_winograd_outputs for planes (image · k + output channel) plane_first ..< plane_first + plane_count.
void dd_winograd_outputs_avx512(const float *m, int64_t n, int64_t k, int64_t out_h, int64_t out_w, int64_t tiles_h,
                                int64_t tiles_w, const float *scale, const float *bias, int relu, int64_t plane_first,
                                int64_t plane_count, float *y);

/* ---- int8 GEMM (int8_gemm.c) ------------------------------------------------------------------ */
/// C[m, n] = Σ_k A[m, k]·B[n, k]: A unsigned 8-bit with values 0…127, B signed 8-bit [n, k], C int32.
void dd_gemm_u8s8s32_naive(int64_t m, int64_t n, int64_t k, const uint8_t *a, int64_t lda, const int8_t *b, int64_t ldb,
                           int32_t *c, int64_t ldc);
/// The fastest path this CPU runs: 2 VNNI (AVX-VNNI, or AVX512-VNNI on 256-bit registers), 1 AVX2, 0 neither.
int dd_int8_gemm_path(void);
/// Bytes of B [n, k] packed for dd_gemm_u8s8s32_packed: ⌈n/16⌉·16 · ⌈k/4⌉·4.
int64_t dd_int8_packed_size(int64_t n, int64_t k);
/// Packs B [n, k] (row-major) into blocks of 16 columns × 4 consecutive k (zero-padded).
void dd_int8_pack_b(const int8_t *b, int64_t n, int64_t k, int8_t *packed);
/// C[m, n] = A·Bᵀ with B packed; A rows of stride `lda` ≥ ⌈k/4⌉·4 whose bytes past k are zero.
/// `path` 2 (VNNI: AVX-VNNI or AVX512-VNNI+VL, whichever the CPU has) or 1 (AVX2).
void dd_gemm_u8s8s32_packed(int64_t m, int64_t n, int64_t k, const uint8_t *a, int64_t lda, const int8_t *packed,
                            int32_t *c, int64_t ldc, int path);
/// How dd_gemm_u8s8_packed_to_planes rescales its int32 results: y[o·pixels + row] =
/// factors[o]·(C[row, o] − corrections[o]) + offsets[o], then max(·, 0) when `relu` — with
/// factors = s_x·s_w, corrections = zero point · weight row sums, offsets = bias, each padded
/// with zeros to a multiple of 16 entries.
typedef struct {
    const float *factors;
    const int32_t *corrections;
    const float *offsets;
    int relu;
    int64_t pixels;
    float *y;
} dd_int8_epilogue;
/// dd_gemm_u8s8s32_packed with the epilogue instead of an int32 C: one convolution sample's
/// output planes [n, pixels] straight from the tiles (m = pixels rows of A).
void dd_gemm_u8s8_packed_to_planes(int64_t m, int64_t n, int64_t k, const uint8_t *a, int64_t lda, const int8_t *packed,
                                   const dd_int8_epilogue *epilogue, int path);
/// The smallest and largest of x[0..<n] and 0.
void dd_min_max(const float *x, int64_t n, float *low, float *high);
/// out[i] = clamp(round(x[i]·inverse_scale) + zero, 0, 127).
void dd_quantize_u7(const float *x, int64_t n, float inverse_scale, float zero, uint8_t *out);
/// y[i, j] = scale·channel_scales[j]·(c[i, j] − zero·row_sums[j]) + bias[j] (bias may be NULL).
void dd_int8_dequantize(const int32_t *c, int64_t rows, int64_t columns, float scale, int32_t zero,
                        const float *channel_scales, const int32_t *row_sums, const float *bias, float *y);

/* ---- int8 convolution (int8_conv.c) ------------------------------------------------------------ */
/// One sample's planes x [channels, pixels] quantized to 7 bits (as dd_quantize_u7) into
/// channels-last order out [pixels, channels].
void dd_quantize_planes_to_nhwc_u7(const float *x, int64_t channels, int64_t pixels, float inverse_scale, float zero,
                                   uint8_t *out);
/// One sample's quantized channels-last input x [height, width, channels] unrolled into
/// out_h·out_w rows of stride `ldr` (row = output pixel, k = (i·kw + j)·channels + c);
/// out-of-image taps are `pad_value`, bytes past k zero.
void dd_im2row_nhwc_u8(const uint8_t *x, int64_t channels, int64_t height, int64_t width, int64_t kernel_h, int64_t kernel_w,
                       int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w, int64_t dilation_h, int64_t dilation_w,
                       int64_t out_h, int64_t out_w, uint8_t pad_value, uint8_t *rows, int64_t ldr);
/// y[o, p] = scale·channel_scales[o]·(c[p, o] − zero·row_sums[o]) + bias[o], then max(·, 0) when
/// `relu`: the int32 GEMM result [pixels, channels] as float planes [channels, pixels].
void dd_int8_dequantize_planes(const int32_t *c, int64_t pixels, int64_t channels, float scale, int32_t zero,
                               const float *channel_scales, const int32_t *row_sums, const float *bias, int relu, float *y);

/* ---- Recurrent steps (recurrent.c) ---------------------------------------------------------- */
// Row b of a step is active when `lengths` is NULL or t < lengths[b]; inactive rows keep their
// state and produce zero output (PyTorch's packed sequences). Gate orders are PyTorch's.

/// h_next = tanh(pre) or relu(pre) per active row; inactive rows copy h_prev.
void dd_rnn_step_forward(int64_t batch, int64_t hidden, const float *pre, const float *h_prev, float *h_next,
                         int relu, const int64_t *lengths, int64_t t);
/// dpre = dh·act'(h_next) and dh = 0 on active rows; inactive rows: dpre = 0, dh kept.
void dd_rnn_step_backward(int64_t batch, int64_t hidden, const float *h_next, float *dh, float *dpre,
                          int relu, const int64_t *lengths, int64_t t);
/// gates [B,4H] pre-activations → activations i,f,g,o in place; c_next = f·c_prev + i·g;
/// m = o·tanh(c_next). Inactive rows: c_next = c_prev, m = h_prev row (row stride h_prev_width) or 0 when h_prev is NULL.
void dd_lstm_step_forward(int64_t batch, int64_t hidden, float *gates, const float *c_prev, float *c_next,
                          float *m, const float *h_prev, int64_t h_prev_width, const int64_t *lengths, int64_t t);
/// From dm = ∂L/∂m and dc (in: ∂L/∂c_next, out: ∂L/∂c_prev): dgates [B,4H] w.r.t. the
/// pre-activations (zero on inactive rows, whose dc passes through).
void dd_lstm_step_backward(int64_t batch, int64_t hidden, const float *gates, const float *c_prev,
                           const float *c_next, const float *dm, float *dc, float *dgates,
                           const int64_t *lengths, int64_t t);
/// xg [B,3H] input projections (with b_ih) → activations r,z,n in place; hg [B,3H] hidden
/// projections (with b_hh); hn_saved = hg's n part; h_next = (1−z)·n + z·h_prev.
void dd_gru_step_forward(int64_t batch, int64_t hidden, float *xg, const float *hg, const float *h_prev,
                         float *h_next, float *hn_saved, const int64_t *lengths, int64_t t);
/// dgx, dgh [B,3H]: gradients of the input-side and hidden-side pre-activations; dh (in: ∂L/∂h_next)
/// becomes the direct part of ∂L/∂h_prev (dh·z on active rows, dh on inactive ones).
void dd_gru_step_backward(int64_t batch, int64_t hidden, const float *gates, const float *hn_saved,
                          const float *h_prev, float *dh, float *dgx, float *dgh,
                          const int64_t *lengths, int64_t t);
/// destination row b = source row b when active, zeros otherwise (strided rows of `width`).
void dd_rnn_masked_copy(int64_t batch, int64_t width, const float *source, int64_t source_stride,
                        float *destination, int64_t destination_stride, const int64_t *lengths, int64_t t);
/// Zeros the active rows of `rows` [B, width].
void dd_rnn_zero_active_rows(int64_t batch, int64_t width, float *rows, const int64_t *lengths, int64_t t);
/// Copies `source` rows into the inactive rows of `rows` [B, width].
void dd_rnn_copy_inactive_rows(int64_t batch, int64_t width, float *rows, const float *source,
                               const int64_t *lengths, int64_t t);
/// rows += source on active rows (source rows `source_stride` apart).
void dd_rnn_add_active_rows(int64_t batch, int64_t width, float *rows, const float *source,
                            int64_t source_stride, const int64_t *lengths, int64_t t);

#ifdef __cplusplus
}
#endif

// Per-thread noGrad depth (thread_state.c).
int dd_gradient_disabled_depth(void);
void dd_set_gradient_disabled_depth(int depth);

#endif
