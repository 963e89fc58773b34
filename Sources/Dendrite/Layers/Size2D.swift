/// A height and a width (kernel size, stride, dilation); an integer literal means both.
public struct Size2D: Equatable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// Size along the height axis.
    public var height: Int
    /// Size along the width axis.
    public var width: Int

    /// Height and width.
    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    /// The same size on both axes.
    public init(integerLiteral value: Int) { self.init(value, value) }

    var pair: (Int, Int) { (height, width) }

    public var description: String { height == width ? "\(height)" : "\(height)×\(width)" }
}

/// Zero padding of a convolution: explicit per axis, or `.same` (output size = input size at
/// stride 1, odd effective kernels only).
public enum Padding: Equatable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// Pads so that a stride-1 convolution keeps the spatial size.
    case same
    /// Pads `height` rows and `width` columns on each side.
    case explicit(height: Int, width: Int)

    /// The same padding on both axes.
    public init(integerLiteral value: Int) { self = .explicit(height: value, width: value) }

    public var description: String {
        switch self {
        case .same: return "same"
        case let .explicit(h, w): return h == w ? "\(h)" : "\(h)×\(w)"
        }
    }

    /// Concrete padding for a kernel size and dilation.
    func resolve(kernel: Size2D, dilation: Size2D, operation: String) throws -> (Int, Int) {
        switch self {
        case let .explicit(h, w): return (h, w)
        case .same:
            let effectiveH = dilation.height * (kernel.height - 1), effectiveW = dilation.width * (kernel.width - 1)
            guard effectiveH % 2 == 0, effectiveW % 2 == 0 else {
                throw DendriteError.invalidArgument(operation: operation, argument: "padding .same",
                                                    reason: "needs an odd effective kernel size, got \(kernel) with dilation \(dilation)")
            }
            return (effectiveH / 2, effectiveW / 2)
        }
    }
}
