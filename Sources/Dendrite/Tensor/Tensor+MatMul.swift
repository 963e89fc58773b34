// Matrix products, all through the one GEMM entry point; differentiable.

extension Tensor {
    /// Matrix product with PyTorch's rules for the common ranks:
    ///
    /// - `[m, k] · [k, n] → [m, n]`
    /// - `[k] · [k, n] → [n]`, `[m, k] · [k] → [m]`, `[k] · [k] → []` (vector cases)
    /// - `[B, m, k] · [B, k, n] → [B, m, n]` (batched; either side may be a single matrix, shared)
    ///
    /// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` when inner sizes differ.
    public func matmul(_ other: Tensor) throws -> Tensor {
        let mismatch = DendriteError.shapeMismatch(operation: "matmul", expected: "operands with matching inner sizes, left \(shape)",
                                                   got: "right \(other.shape)")
        switch (rank, other.rank) {
        case (1, 1):
            guard shape[0] == other.shape[0] else { throw mismatch }
            return try viewed(as: [1, shape[0]]).matmul(other.viewed(as: [shape[0], 1])).viewed(as: [])
        case (1, 2):
            guard shape[0] == other.shape[0] else { throw mismatch }
            return try viewed(as: [1, shape[0]]).matmul(other).viewed(as: [other.shape[1]])
        case (2, 1):
            guard shape[1] == other.shape[0] else { throw mismatch }
            return try matmul(other.viewed(as: [other.shape[0], 1])).viewed(as: [shape[0]])
        case (2, 2), (3, 2):
            // [.., m, k] · [k, n]: one GEMM over the folded leading axes.
            let k = shape[rank - 1], n = other.shape[1]
            guard other.shape[0] == k else { throw mismatch }
            var resultShape = shape
            resultShape[rank - 1] = n
            try Tensor.validate(shape: resultShape, operation: "matmul")
            var result = Tensor.gemmOutput(resultShape)
            try gemm(m: rank == 2 ? shape[0] : shape[0] * shape[1], n: n, k: k, a: self, b: other, c: &result)
            let (a, b) = (self, other)
            return result.recorded("matmul", [self, other]) { g in
                let rows = a.count / Swift.max(k, 1)
                let g2 = Tensor(shape: [rows, n], storage: g.storage)
                let a2 = Tensor(shape: [rows, k], storage: a.storage)
                var dA: Tensor?, dB: Tensor?
                if a.requiresGradient {
                    var grad = Tensor.gemmOutput([rows, k])
                    try gemm(transposeB: true, m: rows, n: k, k: n, a: g2, b: b, c: &grad)
                    dA = Tensor(shape: a.shape, storage: grad.storage)
                }
                if b.requiresGradient {
                    var grad = Tensor.gemmOutput([k, n])
                    try gemm(transposeA: true, m: k, n: n, k: rows, a: a2, b: g2, c: &grad)
                    dB = grad
                }
                return [dA, dB]
            }
        case (2, 3), (3, 3):
            let batch = other.rank == 3 ? other.shape[0] : shape[0]
            let (m, k) = (shape[rank - 2], shape[rank - 1])
            let n = other.shape[2]
            guard other.shape[1] == k, rank == 2 || shape[0] == other.shape[0] else { throw mismatch }
            try Tensor.validate(shape: [batch, m, n], operation: "batched matmul")
            var result = Tensor.gemmOutput([batch, m, n])
            try batchedGEMM(batch: batch, m: m, n: n, k: k, a: self, b: other, c: &result)
            let (a, b) = (self, other)
            return result.recorded("batched matmul", [self, other]) { g in
                var dA: Tensor?, dB: Tensor?
                if a.requiresGradient {
                    var grad = Tensor.gemmOutput([batch, m, k])
                    try batchedGEMM(transposeB: true, batch: batch, m: m, n: k, k: n, a: g, b: b, c: &grad)
                    dA = a.rank == 2 ? try grad.sum(alongAxes: [0]) : grad
                }
                if b.requiresGradient {
                    var grad = Tensor.gemmOutput([batch, k, n])
                    try batchedGEMM(transposeA: true, batch: batch, m: k, n: n, k: m, a: a, b: g, c: &grad)
                    dB = grad
                }
                return [dA, dB]
            }
        default:
            throw DendriteError.invalidArgument(operation: "matmul", argument: "ranks \(rank) and \(other.rank)",
                                                reason: "supported: 1-D, 2-D and batched 3-D operands")
        }
    }
}

extension Tensor {
    /// `alpha · self · otherᵀ` for batches of matrices: `[N, T, d] · [N, S, d]ᵀ → [N, T, S]`, one
    /// batched GEMM with the transpose and the scale folded in (no copies); differentiable.
    func matmulTransposingRight(_ other: Tensor, alpha: Float = 1) throws -> Tensor {
        guard rank == 3, other.rank == 3, shape[0] == other.shape[0], shape[2] == other.shape[2] else {
            throw DendriteError.shapeMismatch(operation: "matmul(transposing right)", expected: "[N, T, d] and [N, S, d], left \(shape)",
                                              got: "right \(other.shape)")
        }
        let (batch, t, d, s) = (shape[0], shape[1], shape[2], other.shape[1])
        var result = Tensor.gemmOutput([batch, t, s])
        try batchedGEMM(transposeB: true, batch: batch, m: t, n: s, k: d, alpha: alpha, a: self, b: other, c: &result)
        let (a, b) = (self, other)
        return result.recorded("matmul(transposing right)", [self, other]) { g in
            var dA: Tensor?, dB: Tensor?
            if a.requiresGradient {
                var grad = Tensor.gemmOutput([batch, t, d])
                try batchedGEMM(batch: batch, m: t, n: d, k: s, alpha: alpha, a: g, b: b, c: &grad)
                dA = grad
            }
            if b.requiresGradient {
                var grad = Tensor.gemmOutput([batch, s, d])
                try batchedGEMM(transposeA: true, batch: batch, m: s, n: d, k: t, alpha: alpha, a: g, b: a, c: &grad)
                dB = grad
            }
            return [dA, dB]
        }
    }
}
