import Foundation

/// Gauss–Legendre quadrature on [−1, 1]: the roots of the Legendre polynomial P_n (Newton's
/// method from Chebyshev guesses) and their weights `2 / ((1 − x²)·P_n′(x)²)` — numpy's `leggauss`.
enum GaussLegendre {
    static func nodes(_ n: Int) -> (points: [Double], weights: [Double]) {
        var points = [Double](repeating: 0, count: n), weights = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var x = Foundation.cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                // P_n(x) and P_n'(x) by the three-term recurrence.
                var (p0, p1) = (1.0, x)
                if n == 0 { p1 = 1 }
                for k in Swift.stride(from: 2, through: n, by: 1) {
                    (p0, p1) = (p1, ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k))
                }
                derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
                let step = p1 / derivative
                x -= step
                if Swift.abs(step) < 1e-15 { break }
            }
            points[n - 1 - i] = x
            weights[n - 1 - i] = 2 / ((1 - x * x) * derivative * derivative)
        }
        return (points, weights)
    }
}
