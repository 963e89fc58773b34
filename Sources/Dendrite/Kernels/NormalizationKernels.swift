import CDendrite

// Batch normalization over [N, C, S] (S = product of spatial sizes, 1 for [N, C]):
// statistics per channel over N·S values, fused forward and backward.

enum NormalizationKernels {
    /// Per-channel mean and biased variance over the batch and spatial positions.
    static func channelStatistics(_ x: Tensor, batch: Int, channels: Int, spatial: Int) -> (mean: [Float], variance: [Float]) {
        var mean = [Float](repeating: 0, count: channels), variance = [Float](repeating: 0, count: channels)
        mean.withUnsafeMutableBufferPointer { meanBuffer in
            variance.withUnsafeMutableBufferPointer { varianceBuffer in
                let meanBase = meanBuffer.baseAddress, varianceBase = varianceBuffer.baseAddress
                inParallel(rows: channels, rowLength: batch * spatial) { start, count in
                    dd_batchnorm_statistics(x.storage.base, batch, channels, spatial, start, start + count, meanBase, varianceBase)
                }
            }
        }
        return (mean, variance)
    }

    /// `y = γ·(x − mean)·invStd + β` per channel.
    static func normalize(_ x: Tensor, mean: [Float], inverseStd: [Float], gamma: Tensor?, beta: Tensor?,
                          batch: Int, channels: Int, spatial: Int) -> Tensor {
        let out = TensorStorage(uninitializedCount: x.count)
        let src = x.storage.base, dst = out.base
        let scales = (0..<channels).map { c in inverseStd[c] * (gamma.map { $0.storage.base[c] } ?? 1) }
        let shifts = (0..<channels).map { c in (beta.map { $0.storage.base[c] } ?? 0) - mean[c] * scales[c] }
        // By planes (image, channel), so one image's planes also spread over the cores.
        scales.withUnsafeBufferPointer { scale in
            shifts.withUnsafeBufferPointer { shift in
                let (a, b) = (scale.baseAddress, shift.baseAddress)
                inParallel(rows: batch * channels, rowLength: spatial) { start, count in
                    dd_scale_shift_planes(src, dst, start, count, channels, spatial, a, b)
                }
            }
        }
        return Tensor(shape: x.shape, storage: out)
    }

    /// Gradients of training-mode batch norm:
    /// `dx = γ·invStd/M · (M·dy − Σdy − x̂·Σ(dy·x̂))`, `dγ = Σ dy·x̂`, `dβ = Σ dy`.
    /// With `batchStatistics == false` (eval mode) the statistics are constants: `dx = γ·invStd·dy`.
    /// Σ dy and Σ dy·x̂ per channel over this process's batch (the first pass of `backward`).
    static func gradientSums(_ dy: Tensor, input x: Tensor, mean: [Float], inverseStd: [Float],
                             batch: Int, channels: Int, spatial: Int) -> (sumDy: [Float], sumDyXhat: [Float]) {
        var sumDy = [Float](repeating: 0, count: channels), sumDyXhat = [Float](repeating: 0, count: channels)
        sumDy.withUnsafeMutableBufferPointer { dBeta in
            sumDyXhat.withUnsafeMutableBufferPointer { dGamma in
                mean.withUnsafeBufferPointer { meanBuffer in
                    inverseStd.withUnsafeBufferPointer { inverseBuffer in
                        let (meanBase, inverseBase, dBetaBase, dGammaBase) = (meanBuffer.baseAddress, inverseBuffer.baseAddress,
                                                                            dBeta.baseAddress, dGamma.baseAddress)
                        inParallel(rows: channels, rowLength: batch * spatial) { start, count in
                            dd_batchnorm_backward(dy.storage.base, x.storage.base, meanBase, inverseBase, nil, batch, channels, spatial,
                                                  start, start + count, 1, nil, dGammaBase, dBetaBase)
                        }
                    }
                }
            }
        }
        return (sumDy, sumDyXhat)
    }

    /// ∂L/∂x from per-channel sums of Σ dy and Σ dy·x̂ over `count` values (every process's).
    static func inputGradient(_ dy: Tensor, input x: Tensor, mean: [Float], inverseStd: [Float], gamma: Tensor?,
                              batch: Int, channels: Int, spatial: Int, sumDy: [Double], sumDyXhat: [Double], count: Int) -> Tensor {
        let dx = TensorStorage(uninitializedCount: x.count)
        mean.withUnsafeBufferPointer { meanBuffer in
            inverseStd.withUnsafeBufferPointer { inverseBuffer in
                sumDy.withUnsafeBufferPointer { dyBuffer in
                    sumDyXhat.withUnsafeBufferPointer { xhatBuffer in
                        let bases = (meanBuffer.baseAddress, inverseBuffer.baseAddress, dyBuffer.baseAddress, xhatBuffer.baseAddress)
                        inParallel(rows: channels, rowLength: batch * spatial) { start, rows in
                            dd_batchnorm_backward_input(dy.storage.base, x.storage.base, bases.0, bases.1, gamma?.storage.base, batch,
                                                        channels, spatial, start, start + rows, bases.2, bases.3, Double(count), dx.base)
                        }
                    }
                }
            }
        }
        return Tensor(shape: x.shape, storage: dx)
    }

    static func backward(_ dy: Tensor, input x: Tensor, mean: [Float], inverseStd: [Float], gamma: Tensor?,
                         batch: Int, channels: Int, spatial: Int, batchStatistics: Bool)
        -> (dInput: Tensor, dGamma: Tensor, dBeta: Tensor) {
        let dx = TensorStorage(uninitializedCount: x.count)
        let dGamma = TensorStorage(count: channels), dBeta = TensorStorage(count: channels)
        mean.withUnsafeBufferPointer { meanBuffer in
            inverseStd.withUnsafeBufferPointer { inverseBuffer in
                let meanBase = meanBuffer.baseAddress, inverseBase = inverseBuffer.baseAddress
                inParallel(rows: channels, rowLength: batch * spatial) { start, count in
                    dd_batchnorm_backward(dy.storage.base, x.storage.base, meanBase, inverseBase, gamma?.storage.base, batch, channels,
                                          spatial, start, start + count, batchStatistics ? 1 : 0, dx.base, dGamma.base, dBeta.base)
                }
            }
        }
        return (Tensor(shape: x.shape, storage: dx), Tensor(shape: [channels], storage: dGamma),
                Tensor(shape: [channels], storage: dBeta))
    }
}
