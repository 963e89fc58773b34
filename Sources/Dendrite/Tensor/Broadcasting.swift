/// NumPy broadcasting rules for shapes.
enum Broadcasting {
    /// The shape two operands broadcast to, or `nil` when they are incompatible.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 { result[i] = da } else if da == 1 { result[i] = db } else { return nil }
        }
        return result
    }

    /// Strides of `shape` laid over `target` (same or higher rank): 0 on broadcast axes.
    static func strides(of shape: [Int], in target: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: target.count)
        var running = 1
        let offset = target.count - shape.count
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i + offset] = shape[i] == 1 ? 0 : running
            running *= shape[i]
        }
        return strides
    }

    /// The element count of `shape` when it repeats unchanged along `target`'s leading axes —
    /// its dimensions, after any leading 1s, are `target`'s trailing ones (a bias `[C]` over
    /// `[N, C]`, a mask `[T, T]` over `[B, T, T]`) — so that element `i` of the broadcast is
    /// element `i % period`; `nil` otherwise.
    static func repeatingPeriod(of shape: [Int], in target: [Int]) -> Int? {
        let trimmed = shape.drop { $0 == 1 }
        guard trimmed.count <= target.count, target.suffix(trimmed.count).elementsEqual(trimmed) else { return nil }
        let period = trimmed.reduce(1, *)
        return period > 0 ? period : nil
    }

    /// The axes of `target` that were broadcast from `shape` (to sum a gradient over).
    static func reducedAxes(from shape: [Int], to target: [Int]) -> [Int] {
        let offset = target.count - shape.count
        return (0..<target.count).filter { axis in
            axis < offset || (shape[axis - offset] == 1 && target[axis] != 1)
        }
    }
}

/// Row-major strides of a contiguous shape.
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var running = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[i] = running
        running *= shape[i]
    }
    return strides
}
