import CDendrite
import COpenBLAS
import Dispatch
import Foundation

// im2col + GEMM convolution, one GEMM per image and group:
//   forward:         Y_g[OCg, OH·OW]  = W_g[OCg, K] · col_g[K, OH·OW], then + bias (and ReLU) per image
//   backward input:  col_g = W_gᵀ · dY_g, then col2im (accumulating) into dX_g
//   backward weight: dW_g += dY_g · col_gᵀ            (beta = 1 over the batch)
// with K = (C / groups)·KH·KW. 1×1 stride-1 unpadded layers skip im2col: col_g is X_g itself.

/// The column matrix of one image and group: im2col into `buffer`, or the image itself for a
/// pointwise convolution (no buffer). `spread` unfolds it on every core, by column rows (for
/// callers that run one image at a time).
@inline(__always)
private func columns(of image: UnsafeMutablePointer<Float>, channels: Int, into buffer: TensorStorage?,
                     geometry: inout dd_conv_geometry, spread: Bool) -> UnsafePointer<Float> {
    guard let buffer else { return UnsafePointer(image) }
    let rows = channels * Int(geometry.kernel_h * geometry.kernel_w), plane = Int(geometry.out_h * geometry.out_w)
    let parts = spread && rows * plane >= 1 << 16 ? Swift.min(threadCount, rows) : 1
    if parts > 1 {
        let g = geometry, out = buffer.base
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            var local = g
            let first = rows * part / parts, last = rows * (part + 1) / parts
            dd_im2col_rows(image, out, Int32(channels), &local, Int64(plane), Int64(first), Int64(last - first))
        }
    } else {
        dd_im2col(image, buffer.base, Int32(channels), &geometry)
    }
    return UnsafePointer(buffer.base)
}

/// The convolution kernel, forward: `y = conv(x, weight) + bias` with im2col + GEMM (OpenBLAS),
/// for a precomputed geometry. It records nothing for autograd — layers and training use the
/// tracked op ``conv2d(_:weight:bias:stride:padding:dilation:groups:relu:operation:)``.
///
/// - Parameters:
///   - input: `[N, C, H, W]` (``Conv2DGeometry/inputShape``).
///   - weight: `[OC, C / groups, KH, KW]`.
///   - bias: `[OC]` or `nil`.
///   - scale: `[OC]` or `nil`: each output channel multiplied by it before the bias is added —
///     an inference batch norm applied in the same pass (`scale = γ/√(σ² + ε)`, `bias = β − μ·scale`).
///   - g: the convolution's sizes, stride, padding, dilation and groups.
///   - relu: apply `max(·, 0)` to each image's output right after its GEMM, while it is in
///     cache (a convolution + bias + ReLU inference kernel).
/// - Returns: `[N, OC, OH, OW]`.
/// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` naming the operand.
public func conv2dForward(input: Tensor, weight: Tensor, bias: Tensor?, scale: Tensor? = nil, geometry g: Conv2DGeometry,
                          relu: Bool = false) throws -> Tensor {
    try g.check(input, g.inputShape, "input", "conv2d")
    try g.check(weight, g.weightShape, "weight", "conv2d")
    if let bias { try g.check(bias, [g.outputChannels], "bias", "conv2d") }
    if let scale { try g.check(scale, [g.outputChannels], "scale", "conv2d") }
    let plane = g.outputHeight * g.outputWidth
    if ConvolutionAlgorithm.usesWinograd(g) {
        return Tensor(shape: g.outputShape, storage: winogradForward(input, weight, bias, scale, g, relu: relu))
    }
    if g.groups == 1 && g.batch >= 2 && plane < batchedPlaneLimit {
        return Tensor(shape: g.outputShape, storage: batchedForward(input, weight, bias, scale, g, relu: relu))
    }
    let output = TensorStorage(uninitializedCount: Tensor.elementCount(of: g.outputShape))
    let cpg = g.inputChannels / g.groups, opg = g.outputChannels / g.groups
    let k = cpg * g.kernelHeight * g.kernelWidth
    let inPlane = g.inputHeight * g.inputWidth
    // On the AVX-512 kernel the columns are packed straight from the image (no column matrix).
    let fromImage = ConvolutionGEMM.usesAVX512 && !g.isPointwise
    forEachImageRange(batch: g.batch, multiplyAdds: opg * plane * k) { images, alone in
        var cg = g.cGeometry
        let column = g.isPointwise || fromImage ? nil : TensorStorage(uninitializedCount: k * plane)
        for n in images {
            for group in 0..<g.groups {
                let image = input.storage.base + (n * g.inputChannels + group * cpg) * inPlane
                let (w, y) = (weight.storage.base + group * opg * k, output.base + (n * g.outputChannels + group * opg) * plane)
                if fromImage {
                    avx512ConvolutionGEMM(m: opg, n: plane, k: k, weight: w, lda: k, image: image, channels: cpg, geometry: cg,
                                          c: y, ldc: plane, threads: Int(openblas_get_num_threads()))
                    continue
                }
                let source = columns(of: image, channels: cpg, into: column, geometry: &cg, spread: alone)
                convolutionGEMM(transposeA: false, transposeB: false, m: opg, n: plane, k: k, a: w, lda: k, b: source, ldb: plane,
                                beta: 0, c: y, ldc: plane)
            }
            // Bias and ReLU in one pass over the image's output while it is in cache.
            let image = output.base + n * g.outputChannels * plane
            if bias != nil || scale != nil || relu {
                dd_bias_relu_planes(image, g.outputChannels, plane, scale?.storage.base, bias?.storage.base, relu ? 1 : 0)
            }
        }
    }
    return Tensor(shape: g.outputShape, storage: output)
}

/// Output planes below this many pixels (ResNet-18's last stage, 7×7) are too narrow for a good
/// GEMM one image at a time: several images' columns go side by side instead. (Wider planes
/// lose more to a column buffer that no longer fits in cache than they gain: measured on 14×14
/// and 28×28 layers, Docs/Benchmarks.md.)
let batchedPlaneLimit = 100

/// The forward pass with several images per GEMM: their im2col columns side by side
/// (`[K, images·plane]`, unrolled in parallel), one GEMM over all of them, and one pass that puts
/// the result back in NCHW order with the bias and the fused ReLU. Groups of images keep the
/// GEMM about 512 columns wide (and the buffers bounded).
private func batchedForward(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?, _ scale: Tensor?, _ g: Conv2DGeometry,
                            relu: Bool) -> TensorStorage {
    let plane = g.outputHeight * g.outputWidth, inPlane = g.inputHeight * g.inputWidth
    let k = g.inputChannels * g.kernelHeight * g.kernelWidth
    let perGEMM = Swift.min(g.batch, Swift.max(1, (512 + plane - 1) / plane))
    let output = TensorStorage(uninitializedCount: Tensor.elementCount(of: g.outputShape))
    let column = TensorStorage(uninitializedCount: k * perGEMM * plane)
    let wide = TensorStorage(uninitializedCount: g.outputChannels * perGEMM * plane)
    let cg = g.cGeometry
    for start in stride(from: 0, to: g.batch, by: perGEMM) {
        let count = Swift.min(perGEMM, g.batch - start), width = count * plane
        concurrentlyWithSingleThreadedBLAS(chunks: count) { image in
            var geometry = cg
            dd_im2col_strided(input.storage.base + (start + image) * g.inputChannels * inPlane, column.base + image * plane,
                              Int32(g.inputChannels), &geometry, Int64(width))
        }
        convolutionGEMM(transposeA: false, transposeB: false, m: g.outputChannels, n: width, k: k,
                        a: weight.storage.base, lda: k, b: column.base, ldb: width, beta: 0, c: wide.base, ldc: width)
        dd_unbatch_planes(wide.base, Int64(count), Int64(g.outputChannels), Int64(plane), scale?.storage.base, bias?.storage.base, relu ? 1 : 0,
                          output.base + start * g.outputChannels * plane)
    }
    return output
}

/// Gradient of the convolution with respect to its input: `dX = convᵀ(dY, weight)`.
///
/// - Returns: `[N, C, H, W]`.
public func conv2dBackwardInput(gradOutput: Tensor, weight: Tensor, geometry g: Conv2DGeometry) throws -> Tensor {
    try g.check(gradOutput, g.outputShape, "gradOutput", "conv2dBackwardInput")
    try g.check(weight, g.weightShape, "weight", "conv2dBackwardInput")
    let dInput = TensorStorage(count: Tensor.elementCount(of: g.inputShape))
    let plane = g.outputHeight * g.outputWidth
    let cpg = g.inputChannels / g.groups, opg = g.outputChannels / g.groups
    let k = cpg * g.kernelHeight * g.kernelWidth
    let inPlane = g.inputHeight * g.inputWidth
    forEachImageRange(batch: g.batch, multiplyAdds: k * plane * opg) { images, _ in
        var cg = g.cGeometry
        let column = g.isPointwise ? nil : TensorStorage(uninitializedCount: k * plane)
        for n in images {
            for group in 0..<g.groups {
                let dy = gradOutput.storage.base + (n * g.outputChannels + group * opg) * plane
                let dx = dInput.base + (n * g.inputChannels + group * cpg) * inPlane
                let w = weight.storage.base + group * opg * k
                if let column {
                    convolutionGEMM(transposeA: true, transposeB: false, m: k, n: plane, k: opg,
                                    a: w, lda: k, b: dy, ldb: plane, beta: 0, c: column.base, ldc: plane)
                    dd_col2im(column.base, dx, Int32(cpg), &cg)
                } else {
                    convolutionGEMM(transposeA: true, transposeB: false, m: k, n: plane, k: opg,
                                    a: w, lda: k, b: dy, ldb: plane, beta: 1, c: dx, ldc: plane)
                }
            }
        }
    }
    return Tensor(shape: g.inputShape, storage: dInput)
}

/// Accumulates the weight gradient: `dWeight += Σₙ dYₙ · colₙᵀ`.
///
/// - Parameters:
///   - gradOutput: `[N, OC, OH, OW]`, the gradient of the loss with respect to the output.
///   - input: `[N, C, H, W]`, the forward pass's input.
///   - g: the convolution's geometry.
///   - dWeight: `[OC, C / groups, KH, KW]`, added to (not overwritten).
public func conv2dBackwardWeight(gradOutput: Tensor, input: Tensor, geometry g: Conv2DGeometry,
                                 accumulatingInto dWeight: inout Tensor) throws {
    try g.check(gradOutput, g.outputShape, "gradOutput", "conv2dBackwardWeight")
    try g.check(input, g.inputShape, "input", "conv2dBackwardWeight")
    try g.check(dWeight, g.weightShape, "dWeight", "conv2dBackwardWeight")
    dWeight.makeUnique()
    let plane = g.outputHeight * g.outputWidth
    let cpg = g.inputChannels / g.groups, opg = g.outputChannels / g.groups
    let k = cpg * g.kernelHeight * g.kernelWidth
    let inPlane = g.inputHeight * g.inputWidth
    let weightCount = dWeight.count
    let target = dWeight.storage.base
    // Each range of images accumulates into its own buffer (the first range into dWeight itself).
    var partials: [TensorStorage] = []
    let lock = NSLock()
    // On the AVX-512 kernel the columns are packed straight from the image (no column matrix).
    let fromImage = ConvolutionGEMM.usesAVX512 && !g.isPointwise
    forEachImageRange(batch: g.batch, multiplyAdds: opg * k * plane) { images, alone in
        var cg = g.cGeometry
        let column = g.isPointwise || fromImage ? nil : TensorStorage(uninitializedCount: k * plane)
        let own = images.lowerBound == 0 ? nil : TensorStorage(count: weightCount)
        let destination = own?.base ?? target
        for n in images {
            for group in 0..<g.groups {
                let image = input.storage.base + (n * g.inputChannels + group * cpg) * inPlane
                let dy = gradOutput.storage.base + (n * g.outputChannels + group * opg) * plane
                if fromImage {
                    avx512WeightGradientGEMM(m: opg, n: k, plane: plane, gradient: dy, image: image, geometry: cg,
                                             c: destination + group * opg * k, ldc: k, threads: Int(openblas_get_num_threads()))
                    continue
                }
                let source = columns(of: image, channels: cpg, into: column, geometry: &cg, spread: alone)
                convolutionGEMM(transposeA: false, transposeB: true, m: opg, n: k, k: plane, a: dy, lda: plane,
                                b: source, ldb: plane, beta: 1, c: destination + group * opg * k, ldc: k)
            }
        }
        if let own { lock.lock(); partials.append(own); lock.unlock() }
    }
    for partial in partials {
        for i in 0..<weightCount { target[i] += partial.base[i] }
    }
}

/// Runs `body` over `0..<batch` in contiguous ranges of images (and whether it is the only range,
/// so the cores are free for its own parallel steps), one range per core with single-threaded GEMMs, when each core gets at least two images and one image's GEMM is below
/// 2²⁴ multiply-adds: per-image GEMMs of CNN layers are too small for OpenBLAS to split well
/// (below 2¹⁸ it does not split them at all). Larger ones run one after the other, each
/// threaded by OpenBLAS.
private func forEachImageRange(batch: Int, multiplyAdds: Int, _ body: (_ images: Range<Int>, _ alone: Bool) -> Void) {
    let cores = threadCount
    let chunks = multiplyAdds < 1 << 24 && batch >= 2 * cores ? cores : 1
    guard chunks > 1 else { return body(0..<batch, true) }
    let size = (batch + chunks - 1) / chunks
    concurrentlyWithSingleThreadedBLAS(chunks: chunks) { chunk in
        let start = chunk * size
        if start < batch { body(start..<Swift.min(start + size, batch), false) }
    }
}

/// Accumulates the bias gradient: `dBias[oc] += Σ over batch and pixels of dY[:, oc]`.
public func conv2dBackwardBias(gradOutput: Tensor, geometry g: Conv2DGeometry,
                               accumulatingInto dBias: inout Tensor) throws {
    try g.check(gradOutput, g.outputShape, "gradOutput", "conv2dBackwardBias")
    try g.check(dBias, [g.outputChannels], "dBias", "conv2dBackwardBias")
    dBias.makeUnique()
    let plane = g.outputHeight * g.outputWidth, source = gradOutput.storage.base, sums = dBias.storage.base
    inParallel(rows: g.outputChannels, rowLength: g.batch * plane) { start, count in
        dd_channel_sums(source, g.batch, g.outputChannels, plane, start, start + count, sums)
    }
}
