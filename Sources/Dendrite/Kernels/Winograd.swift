import CDendrite
import Dispatch

/// How convolutions compute their forward pass.
public enum ConvolutionAlgorithm: Sendable, Equatable {
    /// Winograd for the 3×3 stride-1 layers wide enough to gain (``winogradIsFaster(_:)``), im2col + GEMM otherwise.
    case automatic
    /// im2col + GEMM always (the general path).
    case im2col
    /// Winograd F(2×2, 3×3) wherever it applies (3×3, stride 1, no dilation, groups 1), im2col elsewhere.
    case winograd

    /// The algorithm every convolution's forward pass uses (default ``automatic``); set it to
    /// compare them or to force one.
    nonisolated(unsafe) public static var current: ConvolutionAlgorithm = .automatic

    /// Whether Winograd F(2×2, 3×3) applies to `g` at all.
    public static func winogradApplies(_ g: Conv2DGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideHeight == 1 && g.strideWidth == 1
            && g.dilationHeight == 1 && g.dilationWidth == 1 && g.groups == 1
    }

    /// The automatic rule, from `dendrite-bench --filter conv-layers` on ResNet-18's shapes: at
    /// least 49 output tiles in the batch (ResNet's 56×56, 28×28 and 14×14 stages, and the 7×7 one
    /// at batch ≥ 4: with fewer, the 16 products are too narrow), and at least 64 input and output
    /// channels with the AVX-512 implementation (128 with the scalar one, whose transforms cost
    /// more than the multiplications they save on 64 → 64 at 56×56: 0.6× im2col).
    public static func winogradIsFaster(_ g: Conv2DGeometry) -> Bool {
        let tiles = g.batch * ((g.outputHeight + 1) / 2) * ((g.outputWidth + 1) / 2)
        let channels = WinogradTransforms.runsVectorized ? 64 : 128
        return winogradApplies(g) && g.inputChannels >= channels && g.outputChannels >= channels && tiles >= 49
    }

    /// Whether `g`'s forward pass runs through Winograd under ``current``.
    public static func usesWinograd(_ g: Conv2DGeometry) -> Bool {
        switch current {
        case .automatic: return winogradIsFaster(g)
        case .im2col: return false
        case .winograd: return winogradApplies(g)
        }
    }
}

/// Which implementation of Winograd runs: the AVX-512 one (`winograd_avx512.c`: transforms that write
/// the AVX-512 GEMM's packed operands, split over the cores by channel panels and planes) where the
/// CPU has AVX-512 and the products run on Dendrite's kernel (``ConvolutionGEMM``), the scalar one
/// (`winograd.c`, one image per core, products on any GEMM) elsewhere. Tests switch it to compare.
enum WinogradTransforms {
    /// Whether the AVX-512 implementation may run (default: where the CPU has AVX-512).
    nonisolated(unsafe) static var vectorized = dd_winograd_avx512_available() != 0

    /// Whether it runs under the current choices (its products need Dendrite's AVX-512 GEMM).
    static var runsVectorized: Bool { vectorized && ConvolutionGEMM.usesAVX512 }
}

/// Winograd F(2×2, 3×3) forward: filters and input tiles transformed, 16 GEMMs (one per tile
/// position) over all channels and tiles, and the output transform with the scale, the bias and
/// the fused ReLU writing NCHW — the AVX-512 implementation where it runs, the scalar one else.
func winogradForward(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?, _ scale: Tensor?, _ g: Conv2DGeometry,
                     relu: Bool) -> TensorStorage {
    let (n, c, k) = (g.batch, g.inputChannels, g.outputChannels)
    let tilesH = (g.outputHeight + 1) / 2, tilesW = (g.outputWidth + 1) / 2, p = n * tilesH * tilesW
    let output = TensorStorage(uninitializedCount: Tensor.elementCount(of: g.outputShape))
    let (x, w, b, y) = (input.storage.base, weight.storage.base, bias?.storage.base, output.base)
    let a = scale?.storage.base
    let (height, width, padH, padW) = (Int64(g.inputHeight), Int64(g.inputWidth), Int64(g.paddingHeight), Int64(g.paddingWidth))
    let (outH, outW, tilesH64, tilesW64) = (Int64(g.outputHeight), Int64(g.outputWidth), Int64(tilesH), Int64(tilesW))
    if WinogradTransforms.runsVectorized {
        winogradPackedForward(x, w, a, b, y, g, relu: relu)
        return output
    }
    let u = TensorStorage(uninitializedCount: 16 * k * c), v = TensorStorage(uninitializedCount: 16 * c * p)
    let m = TensorStorage(uninitializedCount: 16 * k * p)
    dd_winograd_filters(w, Int64(k), Int64(c), u.base)
    perImages(n) { first, count in
        dd_winograd_inputs(x, Int64(n), Int64(c), height, width, padH, padW, tilesH64, tilesW64, first, count, v.base)
    }
    for position in 0..<16 {
        convolutionGEMM(transposeA: false, transposeB: false, m: k, n: p, k: c, a: u.base + position * k * c, lda: c,
                        b: v.base + position * c * p, ldb: p, beta: 0, c: m.base + position * k * p, ldc: p)
    }
    perImages(n) { first, count in
        dd_winograd_outputs(m.base, Int64(n), Int64(k), outH, outW, tilesH64, tilesW64, a, b, relu ? 1 : 0, first, count, y)
    }
    return output
}

/// The AVX-512 Winograd forward of `x` into `y`: the filters transformed once into the GEMM's
/// packed U; then, for groups of images small enough that their 16 transformed inputs stay in
/// cache (about 4 MiB: at batch 8, ResNet's 56×56 layer ran at 0.8× its batch-1 speed per image
/// with the whole batch at once), the inputs into packed V, the 16 products spread over the
/// cores, and the output transform with bias and ReLU.
private func winogradPackedForward(_ x: UnsafeMutablePointer<Float>, _ w: UnsafeMutablePointer<Float>,
                                   _ scale: UnsafeMutablePointer<Float>?, _ bias: UnsafeMutablePointer<Float>?,
                                   _ y: UnsafeMutablePointer<Float>, _ g: Conv2DGeometry, relu: Bool) {
    let (n, c, k) = (g.batch, g.inputChannels, g.outputChannels)
    let tilesH = (g.outputHeight + 1) / 2, tilesW = (g.outputWidth + 1) / 2, tiles = tilesH * tilesW
    let (height, width, padH, padW) = (Int64(g.inputHeight), Int64(g.inputWidth), Int64(g.paddingHeight), Int64(g.paddingWidth))
    let (outH, outW, tilesH64, tilesW64) = (Int64(g.outputHeight), Int64(g.outputWidth), Int64(tilesH), Int64(tilesW))
    let uSize = Int(dd_sgemm_avx512_packed_a_size(Int64(k), Int64(c)))
    let u = TensorStorage(uninitializedCount: 16 * uSize)
    let threads = Swift.max(1, threadCount), panels = (k + 7) / 8
    /// Part `part` of `0..<total` split evenly over the threads.
    func share(_ total: Int, _ part: Int) -> Range<Int> { total * part / threads..<total * (part + 1) / threads }
    func inParts(_ body: @escaping (Int) -> Void) {
        if threads > 1 { DispatchQueue.concurrentPerform(iterations: threads, execute: body) } else { body(0) }
    }
    let group = Swift.min(n, Swift.max(1, (1 << 16) / (c * tiles)))
    let most = group * tiles, vSize = Int(dd_sgemm_avx512_packed_b_size(Int64(c), Int64(most)))
    let v = TensorStorage(uninitializedCount: 16 * vSize), m = TensorStorage(uninitializedCount: 16 * k * most)
    let inPlane = g.inputHeight * g.inputWidth, outPlane = g.outputHeight * g.outputWidth
    for start in stride(from: 0, to: n, by: group) {
        let images = Swift.min(group, n - start), p = images * tiles
        let xs = x + start * c * inPlane, ys = y + start * k * outPlane
        let vStride = Int(dd_sgemm_avx512_packed_b_size(Int64(c), Int64(p)))
        // The filters (with the first group: one wake-up of the cores fewer) and this group's inputs.
        let filtersToo = start == 0
        inParts { part in
            let panelShare = share(panels, part), rowShare = share(images * tilesH, part)
            if filtersToo && !panelShare.isEmpty {
                dd_winograd_filters_packed(w, Int64(k), Int64(c), Int64(panelShare.lowerBound), Int64(panelShare.count), u.base)
            }
            if !rowShare.isEmpty {
                dd_winograd_inputs_packed(xs, Int64(images), Int64(c), height, width, padH, padW, tilesH64, tilesW64,
                                          Int64(rowShare.lowerBound), Int64(rowShare.count), v.base)
            }
        }
        let parts = threadCount > 1 ? 16 : 1
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            for position in stride(from: part, to: 16, by: parts) {
                dd_sgemm_avx512_prepacked(Int64(k), Int64(p), Int64(c), u.base + position * uSize, v.base + position * vStride,
                                          m.base + position * k * p, Int64(p), 0)
            }
        }
        inParts { part in
            let planes = share(images * k, part)
            guard !planes.isEmpty else { return }
            dd_winograd_outputs_avx512(m.base, Int64(images), Int64(k), outH, outW, tilesH64, tilesW64, scale, bias, relu ? 1 : 0,
                                       Int64(planes.lowerBound), Int64(planes.count), ys)
        }
    }
}

/// Runs `body(first, count)` over `0..<n` images in one contiguous range per core.
private func perImages(_ n: Int, _ body: @escaping (Int64, Int64) -> Void) {
    let chunks = Swift.min(threadCount, n), share = (n + chunks - 1) / chunks
    let work = { (chunk: Int) in
        let first = chunk * share, count = Swift.min(share, n - first)
        if count > 0 { body(Int64(first), Int64(count)) }
    }
    if chunks > 1 { concurrentlyWithSingleThreadedBLAS(chunks: chunks, work) } else { work(0) }
}
