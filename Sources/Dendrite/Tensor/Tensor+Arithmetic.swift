// Elementwise arithmetic with NumPy broadcasting, differentiable. Tensor–tensor operators throw
// `DendriteError.shapeMismatch` for shapes that do not broadcast; one `try` covers an expression:
//     let y = try (a + b) * c - 1

extension Tensor {
    /// The shape `self` and `other` broadcast to.
    ///
    /// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)``; and
    ///   ``DendriteError/invalidArgument(operation:argument:reason:)`` when a result larger than both
    ///   operands (an outer sum `[n, 1] + [1, n]`) would not fit in this machine's memory.
    public func broadcastShape(with other: Tensor, operation: String = "broadcast") throws -> [Int] {
        guard let shape = Broadcasting.shape(self.shape, other.shape) else {
            throw DendriteError.shapeMismatch(operation: operation, expected: "shapes that broadcast with \(self.shape)",
                                              got: "\(other.shape)")
        }
        if shape != self.shape && shape != other.shape { try Tensor.validate(shape: shape, operation: operation) }
        return shape
    }

    /// Elementwise sum with broadcasting.
    public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        let shape = try lhs.broadcastShape(with: rhs, operation: "+")
        return ElementwiseKernels.zip(lhs, rhs, shape: shape) { $0 + $1 }.recorded("+", [lhs, rhs]) { g in
            [lhs.requiresGradient ? try g.unbroadcast(to: lhs.shape) : nil,
             rhs.requiresGradient ? try g.unbroadcast(to: rhs.shape) : nil]
        }
    }

    /// Elementwise difference with broadcasting.
    public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        let shape = try lhs.broadcastShape(with: rhs, operation: "-")
        return ElementwiseKernels.zip(lhs, rhs, shape: shape) { $0 - $1 }.recorded("-", [lhs, rhs]) { g in
            [lhs.requiresGradient ? try g.unbroadcast(to: lhs.shape) : nil,
             rhs.requiresGradient ? try (-g).unbroadcast(to: rhs.shape) : nil]
        }
    }

    /// Elementwise product with broadcasting.
    public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        let shape = try lhs.broadcastShape(with: rhs, operation: "*")
        return ElementwiseKernels.zip(lhs, rhs, shape: shape) { $0 * $1 }.recorded("*", [lhs, rhs]) { g in
            [lhs.requiresGradient ? try (g * rhs).unbroadcast(to: lhs.shape) : nil,
             rhs.requiresGradient ? try (g * lhs).unbroadcast(to: rhs.shape) : nil]
        }
    }

    /// Elementwise quotient with broadcasting.
    public static func / (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        let shape = try lhs.broadcastShape(with: rhs, operation: "/")
        return ElementwiseKernels.zip(lhs, rhs, shape: shape) { $0 / $1 }.recorded("/", [lhs, rhs]) { g in
            [lhs.requiresGradient ? try (g / rhs).unbroadcast(to: lhs.shape) : nil,
             rhs.requiresGradient ? try (-(g * lhs) / rhs.squared()).unbroadcast(to: rhs.shape) : nil]
        }
    }

    /// Adds a scalar to every element.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor {
        ElementwiseKernels.map(lhs) { $0 + rhs }.recorded("+ scalar", [lhs]) { g in [g] }
    }
    /// Subtracts a scalar from every element.
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs + (-rhs) }
    /// Multiplies every element by a scalar.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor {
        ElementwiseKernels.map(lhs) { $0 * rhs }.recorded("* scalar", [lhs]) { g in [g * rhs] }
    }
    /// Divides every element by a scalar.
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs * (1 / rhs) }
    /// Adds every element to a scalar.
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { rhs + lhs }
    /// Subtracts every element from a scalar.
    public static func - (lhs: Float, rhs: Tensor) -> Tensor { -rhs + lhs }
    /// Multiplies a scalar by every element.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs * lhs }
    /// Divides a scalar by every element.
    public static func / (lhs: Float, rhs: Tensor) -> Tensor {
        ElementwiseKernels.map(rhs) { lhs / $0 }.recorded("scalar /", [rhs]) { g in
            [ElementwiseKernels.zip(g, rhs, shape: rhs.shape) { -$0 * lhs / ($1 * $1) }]
        }
    }
    /// Negates every element.
    public static prefix func - (operand: Tensor) -> Tensor { operand * -1 }

    /// In-place sum; `rhs` must broadcast to `lhs`'s shape.
    public static func += (lhs: inout Tensor, rhs: Tensor) throws { lhs = try lhs.assigning(lhs + rhs, rhs, "+=") }
    /// In-place difference; `rhs` must broadcast to `lhs`'s shape.
    public static func -= (lhs: inout Tensor, rhs: Tensor) throws { lhs = try lhs.assigning(lhs - rhs, rhs, "-=") }
    /// In-place product; `rhs` must broadcast to `lhs`'s shape.
    public static func *= (lhs: inout Tensor, rhs: Tensor) throws { lhs = try lhs.assigning(lhs * rhs, rhs, "*=") }
    /// In-place quotient; `rhs` must broadcast to `lhs`'s shape.
    public static func /= (lhs: inout Tensor, rhs: Tensor) throws { lhs = try lhs.assigning(lhs / rhs, rhs, "/=") }
    /// Adds a scalar in place.
    public static func += (lhs: inout Tensor, rhs: Float) {
        if lhs.requiresGradient { lhs = lhs + rhs } else { ElementwiseKernels.mapInPlace(&lhs) { $0 + rhs } }
    }
    /// Subtracts a scalar in place.
    public static func -= (lhs: inout Tensor, rhs: Float) { lhs += -rhs }
    /// Multiplies by a scalar in place.
    public static func *= (lhs: inout Tensor, rhs: Float) {
        if lhs.requiresGradient { lhs = lhs * rhs } else { ElementwiseKernels.mapInPlace(&lhs) { $0 * rhs } }
    }
    /// Divides by a scalar in place.
    public static func /= (lhs: inout Tensor, rhs: Float) { lhs *= 1 / rhs }

    private func assigning(_ result: Tensor, _ rhs: Tensor, _ operation: String) throws -> Tensor {
        guard result.shape == shape else {
            throw DendriteError.shapeMismatch(operation: operation, expected: "a right side that broadcasts to \(shape)",
                                              got: "\(rhs.shape)")
        }
        return result
    }
}
