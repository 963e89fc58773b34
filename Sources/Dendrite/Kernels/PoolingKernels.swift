import CDendrite

// 2-D pooling over NCHW planes: max (with the argmax kept for backward), average
// (padding counted, as PyTorch's default count_include_pad = true) and adaptive average.

/// Window sizes of one pooling layer, validated.
struct PoolingGeometry {
    let planes: Int                     // N·C
    let inputHeight: Int, inputWidth: Int
    let kernelHeight: Int, kernelWidth: Int
    let strideHeight: Int, strideWidth: Int
    let paddingHeight: Int, paddingWidth: Int
    let outputHeight: Int, outputWidth: Int

    /// `ceilMode` rounds the output size up as PyTorch's `ceil_mode=True`: a last, partial window is
    /// kept when it starts inside the image or its left/top padding.
    init(operation: String, inputShape: [Int], kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int),
         ceilMode: Bool = false) throws {
        guard inputShape.count == 4 else {
            throw DendriteError.shapeMismatch(operation: operation, expected: "[N, C, H, W]", got: "\(inputShape)")
        }
        guard kernel.0 > 0, kernel.1 > 0, stride.0 > 0, stride.1 > 0, padding.0 >= 0, padding.1 >= 0,
              padding.0 * 2 <= kernel.0, padding.1 * 2 <= kernel.1 else {
            throw DendriteError.invalidArgument(operation: operation, argument: "kernel \(kernel), stride \(stride), padding \(padding)",
                                                reason: "sizes must be positive and padding at most half the kernel")
        }
        planes = inputShape[0] * inputShape[1]
        inputHeight = inputShape[2]
        inputWidth = inputShape[3]
        (kernelHeight, kernelWidth) = kernel
        (strideHeight, strideWidth) = stride
        (paddingHeight, paddingWidth) = padding
        func outputSize(_ input: Int, _ kernel: Int, _ stride: Int, _ padding: Int) -> Int {
            let span = input + 2 * padding - kernel
            guard span >= 0 else { return 0 }
            var size = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
            if ceilMode && (size - 1) * stride >= input + padding { size -= 1 }
            return size
        }
        outputHeight = outputSize(inputHeight, kernel.0, stride.0, padding.0)
        outputWidth = outputSize(inputWidth, kernel.1, stride.1, padding.1)
        guard inputHeight + 2 * padding.0 >= kernel.0, inputWidth + 2 * padding.1 >= kernel.1 else {
            throw DendriteError.shapeMismatch(operation: operation, expected: "input at least \(kernel) after padding",
                                              got: "\(inputShape)")
        }
    }
}

extension PoolingGeometry {
    /// The input rows and columns (clipped to the image) under output position (oh, ow).
    @inline(__always)
    func window(_ oh: Int, _ ow: Int) -> (rows: Range<Int>, columns: Range<Int>) {
        let h0 = oh * strideHeight - paddingHeight, w0 = ow * strideWidth - paddingWidth
        return (Swift.max(h0, 0)..<Swift.min(h0 + kernelHeight, inputHeight), Swift.max(w0, 0)..<Swift.min(w0 + kernelWidth, inputWidth))
    }

    /// PyTorch's average divisor at (oh, ow): the window clipped to the padded image (the full
    /// kernel, except for a ceil-mode window that runs past the padding).
    @inline(__always)
    func averageDivisor(_ oh: Int, _ ow: Int) -> Float {
        let h0 = oh * strideHeight - paddingHeight, w0 = ow * strideWidth - paddingWidth
        let rows = Swift.min(h0 + kernelHeight, inputHeight + paddingHeight) - h0
        let columns = Swift.min(w0 + kernelWidth, inputWidth + paddingWidth) - w0
        return Float(rows * columns)
    }
}

enum PoolingKernels {
    /// Max pooling; returns the output and, per output element, the flat input index of its maximum
    /// within its plane (a C kernel, planes split over the cores); without `keepArgmax` (inference)
    /// the indices are neither computed nor returned.
    static func maxForward(_ x: Tensor, _ g: PoolingGeometry, outputShape: [Int], keepArgmax: Bool = true) -> (Tensor, [Int32]) {
        let outPlane = g.outputHeight * g.outputWidth
        let out = TensorStorage(uninitializedCount: g.planes * outPlane)
        var indices = [Int32](repeating: 0, count: keepArgmax ? g.planes * outPlane : 0)
        indices.withUnsafeMutableBufferPointer { argmax in
            let base = keepArgmax ? argmax.baseAddress : nil
            // The 2×2 loop is fast on one core: splitting pays only for large inputs (Docs/Benchmarks.md);
            // other windows (ResNet's 3×3 / 2 at 112×112) read each input several times and split sooner.
            let twoByTwo = g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideHeight == 2 && g.strideWidth == 2
            inParallel(rows: g.planes, rowLength: g.inputHeight * g.inputWidth, minimumElements: twoByTwo ? 1 << 21 : 1 << 17) { start, count in
                dd_maxpool_forward(x.storage.base, out.base, base, start, start + count, Int32(g.inputHeight), Int32(g.inputWidth),
                                   Int32(g.kernelHeight), Int32(g.kernelWidth), Int32(g.strideHeight), Int32(g.strideWidth),
                                   Int32(g.paddingHeight), Int32(g.paddingWidth), Int32(g.outputHeight), Int32(g.outputWidth))
            }
        }
        return (Tensor(shape: outputShape, storage: out), indices)
    }

    /// Scatters `dy` to the recorded maxima.
    static func maxBackward(_ dy: Tensor, indices: [Int32], _ g: PoolingGeometry, inputShape: [Int]) -> Tensor {
        let outPlane = g.outputHeight * g.outputWidth, inPlane = g.inputHeight * g.inputWidth
        let dx = TensorStorage(count: g.planes * inPlane)
        let src = dy.storage.base, dst = dx.base
        indices.withUnsafeBufferPointer { argmax in
            inParallel(rows: g.planes, rowLength: inPlane) { start, count in
                for p in start..<(start + count) {
                    for o in 0..<outPlane { dst[p * inPlane + Int(argmax[p * outPlane + o])] += src[p * outPlane + o] }
                }
            }
        }
        return Tensor(shape: inputShape, storage: dx)
    }

    /// Average pooling, dividing by the full window (padding included).
    static func averageForward(_ x: Tensor, _ g: PoolingGeometry, outputShape: [Int]) -> Tensor {
        let outPlane = g.outputHeight * g.outputWidth, inPlane = g.inputHeight * g.inputWidth
        let out = TensorStorage(count: g.planes * outPlane)
        let src = x.storage.base, dst = out.base
        for p in 0..<g.planes {
            let plane = src + p * inPlane
            for oh in 0..<g.outputHeight {
                for ow in 0..<g.outputWidth {
                    let (rows, columns) = g.window(oh, ow)
                    var total: Float = 0
                    for h in rows { for w in columns { total += plane[h * g.inputWidth + w] } }
                    dst[p * outPlane + oh * g.outputWidth + ow] = total / g.averageDivisor(oh, ow)
                }
            }
        }
        return Tensor(shape: outputShape, storage: out)
    }

    /// Spreads `dy` evenly over each window.
    static func averageBackward(_ dy: Tensor, _ g: PoolingGeometry, inputShape: [Int]) -> Tensor {
        let outPlane = g.outputHeight * g.outputWidth, inPlane = g.inputHeight * g.inputWidth
        let dx = TensorStorage(count: g.planes * inPlane)
        let src = dy.storage.base, dst = dx.base
        for p in 0..<g.planes {
            let plane = dst + p * inPlane
            for oh in 0..<g.outputHeight {
                for ow in 0..<g.outputWidth {
                    let (rows, columns) = g.window(oh, ow)
                    let share = src[p * outPlane + oh * g.outputWidth + ow] / g.averageDivisor(oh, ow)
                    for h in rows { for w in columns { plane[h * g.inputWidth + w] += share } }
                }
            }
        }
        return Tensor(shape: inputShape, storage: dx)
    }

    /// PyTorch's adaptive windows: output i covers `⌊i·In/Out⌋ ..< ⌈(i+1)·In/Out⌉`.
    static func adaptiveWindow(_ i: Int, _ input: Int, _ output: Int) -> Range<Int> {
        (i * input / output)..<(((i + 1) * input + output - 1) / output)
    }

    /// Adaptive average pooling of `[N, C, H, W]` to `[N, C, outH, outW]`; `backward` spreads instead.
    static func adaptiveAverage(_ x: Tensor, planes: Int, inputHeight: Int, inputWidth: Int,
                                outputHeight: Int, outputWidth: Int, backward: Bool, resultShape: [Int]) -> Tensor {
        let inPlane = inputHeight * inputWidth, outPlane = outputHeight * outputWidth
        let result = TensorStorage(count: planes * (backward ? inPlane : outPlane))
        let src = x.storage.base, dst = result.base
        for p in 0..<planes {
            for oh in 0..<outputHeight {
                let rows = adaptiveWindow(oh, inputHeight, outputHeight)
                for ow in 0..<outputWidth {
                    let columns = adaptiveWindow(ow, inputWidth, outputWidth)
                    let scale = 1 / Float(rows.count * columns.count)
                    let o = p * outPlane + oh * outputWidth + ow
                    if backward {
                        let share = src[o] * scale
                        for h in rows { for w in columns { dst[p * inPlane + h * inputWidth + w] += share } }
                    } else {
                        var total: Float = 0
                        for h in rows { for w in columns { total += src[p * inPlane + h * inputWidth + w] } }
                        dst[o] = total * scale
                    }
                }
            }
        }
        return Tensor(shape: resultShape, storage: result)
    }
}
