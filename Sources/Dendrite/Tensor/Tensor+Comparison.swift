// Comparisons produce masks of 0 and 1 (as Float), which `where` and arithmetic consume.

extension Tensor {
    @inline(__always)
    private func compare(_ other: Tensor, _ operation: String, _ predicate: (Float, Float) -> Bool) throws -> Tensor {
        ElementwiseKernels.zip(self, other, shape: try broadcastShape(with: other, operation: operation)) {
            predicate($0, $1) ? 1 : 0
        }
    }

    /// 1 where `self > other`, else 0 (broadcasting).
    public func greater(_ other: Tensor) throws -> Tensor { try compare(other, "greater") { $0 > $1 } }
    /// 1 where `self >= other`, else 0 (broadcasting).
    public func greaterEqual(_ other: Tensor) throws -> Tensor { try compare(other, "greaterEqual") { $0 >= $1 } }
    /// 1 where `self < other`, else 0 (broadcasting).
    public func less(_ other: Tensor) throws -> Tensor { try compare(other, "less") { $0 < $1 } }
    /// 1 where `self <= other`, else 0 (broadcasting).
    public func lessEqual(_ other: Tensor) throws -> Tensor { try compare(other, "lessEqual") { $0 <= $1 } }
    /// 1 where `self == other`, else 0 (broadcasting).
    public func equal(_ other: Tensor) throws -> Tensor { try compare(other, "equal") { $0 == $1 } }
    /// 1 where `self != other`, else 0 (broadcasting).
    public func notEqual(_ other: Tensor) throws -> Tensor { try compare(other, "notEqual") { $0 != $1 } }

    /// 1 where `self > value`, else 0.
    public func greater(_ value: Float) -> Tensor { ElementwiseKernels.map(self) { $0 > value ? 1 : 0 } }
    /// 1 where `self < value`, else 0.
    public func less(_ value: Float) -> Tensor { ElementwiseKernels.map(self) { $0 < value ? 1 : 0 } }
    /// 1 where `self == value`, else 0.
    public func equal(_ value: Float) -> Tensor { ElementwiseKernels.map(self) { $0 == value ? 1 : 0 } }

    /// Picks `whenTrue` where `condition` is non-zero and `whenFalse` elsewhere, broadcasting all three.
    ///
    /// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` when the shapes do not broadcast.
    public static func `where`(_ condition: Tensor, _ whenTrue: Tensor, _ whenFalse: Tensor) throws -> Tensor {
        let shape = try condition.broadcastShape(with: whenTrue, operation: "where")
        let full = try Tensor.filled(shape, 0).broadcastShape(with: whenFalse, operation: "where")
        let zeros = Tensor.filled(full, 0)
        let c = try condition + zeros, a = try whenTrue + zeros, b = try whenFalse + zeros
        return ElementwiseKernels.zip3(c, a, b) { $0 != 0 ? $1 : $2 }
    }
}
