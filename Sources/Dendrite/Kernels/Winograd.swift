import CDendrite

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
    /// least 128 input and output channels and 49 output tiles in the batch (ResNet's 28×28 and
    /// 14×14 stages, and the 7×7 one at batch ≥ 4). With fewer channels the tile transforms cost
    /// more than the multiplications they save (64 → 64 at 56×56: 0.6× im2col); with few tiles
    /// the filter transform, redone every call, dominates (512 → 512 at 7×7, batch 1: 0.5×).
    public static func winogradIsFaster(_ g: Conv2DGeometry) -> Bool {
        let tiles = g.batch * ((g.outputHeight + 1) / 2) * ((g.outputWidth + 1) / 2)
        return winogradApplies(g) && g.inputChannels >= 128 && g.outputChannels >= 128 && tiles >= 49
    }

    /// Whether `g`'s forward pass runs through Winograd under ``current``.
    static func usesWinograd(_ g: Conv2DGeometry) -> Bool {
        switch current {
        case .automatic: return winogradIsFaster(g)
        case .im2col: return false
        case .winograd: return winogradApplies(g)
        }
    }
}

/// Winograd F(2×2, 3×3) forward (CDendrite/winograd.c): filters and input tiles transformed,
/// 16 GEMMs (one per tile position) over all channels and tiles, the output transform with the
/// bias and the fused ReLU writing NCHW. Transforms run one image per core.
func winogradForward(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?, _ g: Conv2DGeometry, relu: Bool) -> TensorStorage {
    let (n, c, k) = (g.batch, g.inputChannels, g.outputChannels)
    let tilesH = (g.outputHeight + 1) / 2, tilesW = (g.outputWidth + 1) / 2, p = n * tilesH * tilesW
    let u = TensorStorage(uninitializedCount: 16 * k * c), v = TensorStorage(uninitializedCount: 16 * c * p)
    let m = TensorStorage(uninitializedCount: 16 * k * p)
    let output = TensorStorage(uninitializedCount: Tensor.elementCount(of: g.outputShape))
    dd_winograd_filters(weight.storage.base, Int64(k), Int64(c), u.base)
    let chunks = Swift.min(threadCount, n), share = (n + chunks - 1) / chunks
    func perImages(_ body: @escaping (Int64, Int64) -> Void) {
        let work = { (chunk: Int) in
            let first = chunk * share, count = Swift.min(share, n - first)
            if count > 0 { body(Int64(first), Int64(count)) }
        }
        if chunks > 1 { concurrentlyWithSingleThreadedBLAS(chunks: chunks, work) } else { work(0) }
    }
    perImages { first, count in
        dd_winograd_inputs(input.storage.base, Int64(n), Int64(c), Int64(g.inputHeight), Int64(g.inputWidth), Int64(g.paddingHeight),
                           Int64(g.paddingWidth), Int64(tilesH), Int64(tilesW), first, count, v.base)
    }
    for position in 0..<16 {
        convolutionGEMM(transposeA: false, transposeB: false, m: k, n: p, k: c, a: u.base + position * k * c, lda: c,
                        b: v.base + position * c * p, ldb: p, beta: 0, c: m.base + position * k * p, ldc: p)
    }
    perImages { first, count in
        dd_winograd_outputs(m.base, Int64(n), Int64(k), Int64(g.outputHeight), Int64(g.outputWidth), Int64(tilesH), Int64(tilesW),
                            bias?.storage.base, relu ? 1 : 0, first, count, output.base)
    }
    return output
}
