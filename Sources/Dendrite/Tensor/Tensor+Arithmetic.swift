// Elementwise arithmetic with NumPy broadcasting. Tensor–tensor operators throw
// `DendriteError.shapeMismatch` for shapes that do not broadcast; one `try` covers an expression:
//     let y = try (a + b) * c - 1

extension Tensor {
    /// The shape `self` and `other` broadcast to.
    ///
    /// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)``.
    public func broadcastShape(with other: Tensor, operation: String = "broadcast") throws -> [Int] {
        guard let shape = Broadcasting.shape(self.shape, other.shape) else {
            throw DendriteError.shapeMismatch(operation: operation, expected: "shapes that broadcast with \(self.shape)",
                                              got: "\(other.shape)")
        }
        return shape
    }

    /// Elementwise sum with broadcasting.
    public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        ElementwiseKernels.zip(lhs, rhs, shape: try lhs.broadcastShape(with: rhs, operation: "+")) { $0 + $1 }
    }

    /// Elementwise difference with broadcasting.
    public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        ElementwiseKernels.zip(lhs, rhs, shape: try lhs.broadcastShape(with: rhs, operation: "-")) { $0 - $1 }
    }

    /// Elementwise product with broadcasting.
    public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        ElementwiseKernels.zip(lhs, rhs, shape: try lhs.broadcastShape(with: rhs, operation: "*")) { $0 * $1 }
    }

    /// Elementwise quotient with broadcasting.
    public static func / (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        ElementwiseKernels.zip(lhs, rhs, shape: try lhs.broadcastShape(with: rhs, operation: "/")) { $0 / $1 }
    }

    /// Adds a scalar to every element.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor { ElementwiseKernels.map(lhs) { $0 + rhs } }
    /// Subtracts a scalar from every element.
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { ElementwiseKernels.map(lhs) { $0 - rhs } }
    /// Multiplies every element by a scalar.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { ElementwiseKernels.map(lhs) { $0 * rhs } }
    /// Divides every element by a scalar.
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { ElementwiseKernels.map(lhs) { $0 / rhs } }
    /// Adds every element to a scalar.
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { ElementwiseKernels.map(rhs) { lhs + $0 } }
    /// Subtracts every element from a scalar.
    public static func - (lhs: Float, rhs: Tensor) -> Tensor { ElementwiseKernels.map(rhs) { lhs - $0 } }
    /// Multiplies a scalar by every element.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { ElementwiseKernels.map(rhs) { lhs * $0 } }
    /// Divides a scalar by every element.
    public static func / (lhs: Float, rhs: Tensor) -> Tensor { ElementwiseKernels.map(rhs) { lhs / $0 } }
    /// Negates every element.
    public static prefix func - (operand: Tensor) -> Tensor { ElementwiseKernels.map(operand) { -$0 } }

    /// In-place sum; `rhs` must broadcast to `lhs`'s shape.
    public static func += (lhs: inout Tensor, rhs: Tensor) throws { lhs = try lhs.assigningBroadcast(rhs, "+=") { $0 + $1 } }
    /// In-place difference; `rhs` must broadcast to `lhs`'s shape.
    public static func -= (lhs: inout Tensor, rhs: Tensor) throws { lhs = try lhs.assigningBroadcast(rhs, "-=") { $0 - $1 } }
    /// In-place product; `rhs` must broadcast to `lhs`'s shape.
    public static func *= (lhs: inout Tensor, rhs: Tensor) throws { lhs = try lhs.assigningBroadcast(rhs, "*=") { $0 * $1 } }
    /// In-place quotient; `rhs` must broadcast to `lhs`'s shape.
    public static func /= (lhs: inout Tensor, rhs: Tensor) throws { lhs = try lhs.assigningBroadcast(rhs, "/=") { $0 / $1 } }
    /// Adds a scalar in place.
    public static func += (lhs: inout Tensor, rhs: Float) { ElementwiseKernels.mapInPlace(&lhs) { $0 + rhs } }
    /// Subtracts a scalar in place.
    public static func -= (lhs: inout Tensor, rhs: Float) { ElementwiseKernels.mapInPlace(&lhs) { $0 - rhs } }
    /// Multiplies by a scalar in place.
    public static func *= (lhs: inout Tensor, rhs: Float) { ElementwiseKernels.mapInPlace(&lhs) { $0 * rhs } }
    /// Divides by a scalar in place.
    public static func /= (lhs: inout Tensor, rhs: Float) { ElementwiseKernels.mapInPlace(&lhs) { $0 / rhs } }

    @inline(__always)
    private func assigningBroadcast(_ rhs: Tensor, _ operation: String, _ f: (Float, Float) -> Float) throws -> Tensor {
        let shape = try broadcastShape(with: rhs, operation: operation)
        guard shape == self.shape else {
            throw DendriteError.shapeMismatch(operation: operation, expected: "a right side that broadcasts to \(self.shape)",
                                              got: "\(rhs.shape)")
        }
        return ElementwiseKernels.zip(self, rhs, shape: shape, f)
    }
}
