// Batch normalization over [N, C, S] (S = product of spatial sizes, 1 for [N, C]):
// statistics per channel over N·S values, fused forward and backward.

enum NormalizationKernels {
    /// Per-channel mean and biased variance over the batch and spatial positions.
    static func channelStatistics(_ x: Tensor, batch: Int, channels: Int, spatial: Int) -> (mean: [Float], variance: [Float]) {
        var mean = [Float](repeating: 0, count: channels), variance = [Float](repeating: 0, count: channels)
        let src = x.storage.base
        let m = Double(batch * spatial)
        for c in 0..<channels {
            var total: Double = 0
            for n in 0..<batch {
                let p = src + (n * channels + c) * spatial
                var partial: Float = 0
                for s in 0..<spatial { partial += p[s] }
                total += Double(partial)
            }
            let mu = total / m
            var squares: Double = 0
            for n in 0..<batch {
                let p = src + (n * channels + c) * spatial
                var partial: Float = 0
                let muF = Float(mu)
                for s in 0..<spatial { let d = p[s] - muF; partial += d * d }
                squares += Double(partial)
            }
            mean[c] = Float(mu)
            variance[c] = Float(squares / m)
        }
        return (mean, variance)
    }

    /// `y = γ·(x − mean)·invStd + β` per channel.
    static func normalize(_ x: Tensor, mean: [Float], inverseStd: [Float], gamma: Tensor?, beta: Tensor?,
                          batch: Int, channels: Int, spatial: Int) -> Tensor {
        let out = TensorStorage(count: x.count)
        let src = x.storage.base, dst = out.base
        for n in 0..<batch {
            for c in 0..<channels {
                let scale = inverseStd[c] * (gamma.map { $0.storage.base[c] } ?? 1)
                let shift = (beta.map { $0.storage.base[c] } ?? 0) - mean[c] * scale
                let offset = (n * channels + c) * spatial
                for s in 0..<spatial { dst[offset + s] = src[offset + s] * scale + shift }
            }
        }
        return Tensor(shape: x.shape, storage: out)
    }

    /// Gradients of training-mode batch norm:
    /// `dx = γ·invStd/M · (M·dy − Σdy − x̂·Σ(dy·x̂))`, `dγ = Σ dy·x̂`, `dβ = Σ dy`.
    /// With `batchStatistics == false` (eval mode) the statistics are constants: `dx = γ·invStd·dy`.
    static func backward(_ dy: Tensor, input x: Tensor, mean: [Float], inverseStd: [Float], gamma: Tensor?,
                         batch: Int, channels: Int, spatial: Int, batchStatistics: Bool)
        -> (dInput: Tensor, dGamma: Tensor, dBeta: Tensor) {
        let dx = TensorStorage(count: x.count)
        let dGamma = TensorStorage(count: channels), dBeta = TensorStorage(count: channels)
        let g = dy.storage.base, src = x.storage.base, dst = dx.base
        let m = Float(batch * spatial)
        for c in 0..<channels {
            var sumDy: Double = 0, sumDyXhat: Double = 0
            let mu = mean[c], inv = inverseStd[c]
            for n in 0..<batch {
                let offset = (n * channels + c) * spatial
                var a: Float = 0, b: Float = 0
                for s in 0..<spatial {
                    let d = g[offset + s]
                    a += d
                    b += d * (src[offset + s] - mu) * inv
                }
                sumDy += Double(a)
                sumDyXhat += Double(b)
            }
            dGamma.base[c] = Float(sumDyXhat)
            dBeta.base[c] = Float(sumDy)
            let gammaC = gamma.map { $0.storage.base[c] } ?? 1
            let meanDy = Float(sumDy) / m, meanDyXhat = Float(sumDyXhat) / m
            for n in 0..<batch {
                let offset = (n * channels + c) * spatial
                for s in 0..<spatial {
                    if batchStatistics {
                        let xhat = (src[offset + s] - mu) * inv
                        dst[offset + s] = gammaC * inv * (g[offset + s] - meanDy - xhat * meanDyXhat)
                    } else {
                        dst[offset + s] = gammaC * inv * g[offset + s]
                    }
                }
            }
        }
        return (Tensor(shape: x.shape, storage: dx), Tensor(shape: [channels], storage: dGamma),
                Tensor(shape: [channels], storage: dBeta))
    }
}
