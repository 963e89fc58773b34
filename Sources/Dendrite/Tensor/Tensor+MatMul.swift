// Matrix products, all through the one GEMM entry point.

extension Tensor {
    /// Matrix product with PyTorch's rules for the common ranks:
    ///
    /// - `[m, k] · [k, n] → [m, n]`
    /// - `[k] · [k, n] → [n]` and `[m, k] · [k] → [m]` (vector cases)
    /// - `[B, m, k] · [B, k, n] → [B, m, n]` (batched; either side may be a single matrix, shared)
    ///
    /// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` when inner sizes differ.
    public func matmul(_ other: Tensor) throws -> Tensor {
        func mismatch() -> DendriteError {
            .shapeMismatch(operation: "matmul", expected: "operands with matching inner sizes, left \(shape)",
                           got: "right \(other.shape)")
        }
        switch (rank, other.rank) {
        case (1, 1):
            guard shape[0] == other.shape[0] else { throw mismatch() }
            var result = Tensor.zeros([1, 1])
            try gemm(m: 1, n: 1, k: shape[0], a: self, b: other, c: &result)
            return Tensor(shape: [], storage: result.storage)
        case (1, 2):
            return try reshaped(to: [1, shape[0]]).matmul(other).reshaped(to: [other.shape[1]])
        case (2, 1):
            guard shape[1] == other.shape[0] else { throw mismatch() }
            var result = Tensor.zeros([shape[0]])
            try gemv(m: shape[0], n: shape[1], a: self, x: other, y: &result)
            return result
        case (2, 2):
            let (m, k, n) = (shape[0], shape[1], other.shape[1])
            guard other.shape[0] == k else { throw mismatch() }
            var result = Tensor.zeros([m, n])
            try gemm(m: m, n: n, k: k, a: self, b: other, c: &result)
            return result
        case (3, 2):
            // One GEMM over the folded batch: [B·m, k] · [k, n].
            let (b, m, k, n) = (shape[0], shape[1], shape[2], other.shape[1])
            guard other.shape[0] == k else { throw mismatch() }
            var result = Tensor.zeros([b, m, n])
            try gemm(m: b * m, n: n, k: k, a: self, b: other, c: &result)
            return result
        case (2, 3), (3, 3):
            let batch = other.rank == 3 ? other.shape[0] : shape[0]
            let (m, k) = (shape[rank - 2], shape[rank - 1])
            let n = other.shape[2]
            guard other.shape[1] == k, rank == 2 || other.rank == 2 || shape[0] == other.shape[0] else { throw mismatch() }
            var result = Tensor.zeros([batch, m, n])
            try batchedGEMM(batch: batch, m: m, n: n, k: k, a: self, b: other, c: &result)
            return result
        default:
            throw DendriteError.invalidArgument(operation: "matmul", argument: "ranks \(rank) and \(other.rank)",
                                                reason: "supported: 1-D, 2-D and batched 3-D operands")
        }
    }
}
