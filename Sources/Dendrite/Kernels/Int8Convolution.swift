import CDendrite

/// What an int8 layer's kernel reads: weights `[n, k]` as int8 (per-output-channel scales), their
/// row sums (for the zero-point correction) and their packed form for the vector kernels.
struct Int8Weights {
    let values: [Int8]
    let rowSums: [Int32]
    let packed: Int8GEMM.PackedWeights
    let n: Int, k: Int

    init(_ values: [Int8], n: Int, k: Int) {
        self.values = values
        self.n = n
        self.k = k
        rowSums = (0..<n).map { row in (0..<k).reduce(Int32(0)) { $0 + Int32(values[row * k + $1]) } }
        packed = Int8GEMM.PackedWeights(values, n: n, k: k)
    }

    /// `C = A·Bᵀ` for `a` holding `m` rows of `packed.paddedK` bytes (the naive loop where the CPU lacks AVX2).
    func multiply(m: Int, a: [UInt8], path: Int8GEMM.Path = Int8GEMM.fastest) throws -> [Int32] {
        guard path == .naive else { return Int8GEMM.multiplyPacked(m: m, a: a, weights: packed, path: path) }
        let stride = packed.paddedK
        return try Int8GEMM.multiply(m: m, n: n, k: k, a: (0..<m).flatMap { a[($0 * stride)..<($0 * stride + k)] }, b: values)
    }
}

extension Int8GEMM {
    /// Activations `[rows, k]` quantized with a fixed (calibrated) `scale` and `zeroPoint` to
    /// 7 bits, `q = clamp(round(x/scale) + zero, 0, 127)`, each row padded to `stride` bytes.
    static func quantizeActivations(_ x: Tensor, rows: Int, k: Int, stride: Int, scale: Float, zeroPoint: Int32) -> [UInt8] {
        var values = [UInt8](repeating: 0, count: rows * stride)
        let base = x.storage.base
        values.withUnsafeMutableBufferPointer { out in
            for row in 0..<rows { dd_quantize_u7(base + row * k, Int64(k), 1 / scale, Float(zeroPoint), out.baseAddress! + row * stride) }
        }
        return values
    }

    /// A convolution in int8 (groups 1): the input quantized with `scale`/`zeroPoint` into
    /// channels-last order, unrolled one row per output pixel (padding is the zero point, the
    /// quantized 0.0), multiplied by the int8 weights — `[OC, KH·KW·C]`, channels last to match
    /// (``channelsLast(_:outputChannels:inputChannels:taps:)``) — into int32, and rescaled per
    /// output channel with the bias (and a ReLU when `relu`) into `NCHW` floats. Samples are
    /// spread over the cores. `path` picks the GEMM (the naive one for the tests' reference).
    static func convolution(_ x: Tensor, geometry g: Conv2DGeometry, weights: Int8Weights, channelScales: [Float],
                            bias: Tensor, scale: Float, zeroPoint: Int32, relu: Bool, path: Path = fastest) throws -> Tensor {
        let planes = g.inputHeight * g.inputWidth, inputSize = g.inputChannels * planes
        let pixels = g.outputHeight * g.outputWidth, outputSize = g.outputChannels * pixels
        let stride = weights.packed.paddedK
        let out = TensorStorage(uninitializedCount: g.batch * outputSize)
        guard g.batch > 0 else { return Tensor(shape: g.outputShape, storage: out) }
        let source = x.storage.base, target = out.base, biasBase = bias.storage.base
        /// Quantizes sample `sample` into `staging` and unrolls it into `rows`.
        func unroll(_ sample: Int, _ staging: UnsafeMutablePointer<UInt8>, _ rows: UnsafeMutablePointer<UInt8>) {
            dd_quantize_planes_to_nhwc_u7(source + sample * inputSize, Int64(g.inputChannels), Int64(planes), 1 / scale,
                                          Float(zeroPoint), staging)
            dd_im2row_nhwc_u8(staging, Int64(g.inputChannels), Int64(g.inputHeight), Int64(g.inputWidth),
                              Int64(g.kernelHeight), Int64(g.kernelWidth), Int64(g.strideHeight), Int64(g.strideWidth),
                              Int64(g.paddingHeight), Int64(g.paddingWidth), Int64(g.dilationHeight), Int64(g.dilationWidth),
                              Int64(g.outputHeight), Int64(g.outputWidth), UInt8(zeroPoint), rows, Int64(stride))
        }
        if path == .naive {
            // The reference path: every sample unrolled, one naive GEMM, then the rescaling pass.
            var rows = [UInt8](repeating: 0, count: g.batch * pixels * stride), staging = [UInt8](repeating: 0, count: inputSize)
            rows.withUnsafeMutableBufferPointer { r in
                staging.withUnsafeMutableBufferPointer { s in
                    for sample in 0..<g.batch { unroll(sample, s.baseAddress!, r.baseAddress! + sample * pixels * stride) }
                }
            }
            let c = try weights.multiply(m: g.batch * pixels, a: rows, path: .naive)
            c.withUnsafeBufferPointer { pc in
                for sample in 0..<g.batch {
                    dd_int8_dequantize_planes(pc.baseAddress! + sample * pixels * g.outputChannels, Int64(pixels), Int64(g.outputChannels),
                                              scale, zeroPoint, channelScales, weights.rowSums, biasBase, relu ? 1 : 0,
                                              target + sample * outputSize)
                }
            }
            return Tensor(shape: g.outputShape, storage: out)
        }
        // One sample at a time per core: its unrolled rows (a few tens of KB) stay in cache
        // between im2row and the GEMM, whose tiles write the float planes directly.
        let chunks = Swift.min(threadCount, g.batch), share = (g.batch + chunks - 1) / chunks
        let padded = (g.outputChannels + 15) / 16 * 16, biases = bias.scalars
        let channels = 0..<g.outputChannels
        let factors = channels.map { scale * channelScales[$0] } + [Float](repeating: 0, count: padded - g.outputChannels)
        let corrections = channels.map { zeroPoint &* weights.rowSums[$0] } + [Int32](repeating: 0, count: padded - g.outputChannels)
        let offsets = biases + [Float](repeating: 0, count: padded - g.outputChannels)
        factors.withUnsafeBufferPointer { scales in
            corrections.withUnsafeBufferPointer { sums in
                offsets.withUnsafeBufferPointer { shifts in
                    weights.packed.bytes.withUnsafeBufferPointer { packed in
                        let work = { (chunk: Int) in
                            let staging = UnsafeMutablePointer<UInt8>.allocate(capacity: inputSize)
                            let rows = UnsafeMutablePointer<UInt8>.allocate(capacity: pixels * stride)
                            defer { staging.deallocate(); rows.deallocate() }
                            for sample in (chunk * share)..<Swift.min(g.batch, (chunk + 1) * share) {
                                unroll(sample, staging, rows)
                                var epilogue = dd_int8_epilogue(factors: scales.baseAddress, corrections: sums.baseAddress,
                                                                offsets: shifts.baseAddress, relu: relu ? 1 : 0,
                                                                pixels: Int64(pixels), y: target + sample * outputSize)
                                dd_gemm_u8s8_packed_to_planes(Int64(pixels), Int64(g.outputChannels), Int64(weights.k), rows,
                                                              Int64(stride), packed.baseAddress, &epilogue, Int32(path.rawValue))
                            }
                        }
                        if chunks > 1 { concurrentlyWithSingleThreadedBLAS(chunks: chunks, work) } else { work(0) }
                    }
                }
            }
        }
        return Tensor(shape: g.outputShape, storage: out)
    }

    /// Convolution weights `[OC, C, KH, KW]` reordered to `[OC, KH, KW, C]` (the order of
    /// ``convolution(_:geometry:weights:channelScales:bias:scale:zeroPoint:relu:)``'s rows).
    static func channelsLast(_ values: [Int8], outputChannels: Int, inputChannels: Int, taps: Int) -> [Int8] {
        var reordered = [Int8](repeating: 0, count: values.count)
        for o in 0..<outputChannels {
            for c in 0..<inputChannels {
                for t in 0..<taps { reordered[(o * taps + t) * inputChannels + c] = values[(o * inputChannels + c) * taps + t] }
            }
        }
        return reordered
    }
}
