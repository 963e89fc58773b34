/// The line search L-BFGS uses with ``LBFGS/LineSearch/strongWolfe`` — PyTorch's `_strong_wolfe`
/// (from minFunc): bracket a step `t` along `direction` that satisfies the strong Wolfe
/// conditions (sufficient decrease `c1`, curvature `c2`), then zoom in on it with safeguarded cubic
/// interpolation.
struct StrongWolfeLineSearch {
    /// Sufficient-decrease constant.
    var c1: Float = 1e-4
    /// Curvature constant.
    var c2: Float = 0.9
    /// Stop zooming when the bracket, times the largest direction entry, is narrower than this.
    var toleranceChange: Float = 1e-9
    /// Most evaluations.
    var maxEvaluations = 25

    /// A point on the line: step, loss, flat gradient, directional derivative.
    struct Point {
        var step: Float
        var loss: Float
        var gradient: [Float]
        var slope: Float
    }

    /// The accepted point and how many evaluations it took.
    ///
    /// - Parameters:
    ///   - start: the current point (step 0).
    ///   - step: the first step to try.
    ///   - direction: the search direction (a descent direction: `start.slope < 0`).
    ///   - evaluate: the loss and flat gradient at `x + t·direction` (parameters restored after).
    func search(from start: Point, step: Float, direction: [Float],
                evaluate: (Float) throws -> (loss: Float, gradient: [Float])) throws -> (point: Point, evaluations: Int) {
        let directionNorm = direction.map(Swift.abs).max() ?? 0
        func point(at t: Float) throws -> Point {
            let (loss, gradient) = try evaluate(t)
            return Point(step: t, loss: loss, gradient: gradient, slope: dot(gradient, direction))
        }
        var current = try point(at: step)
        var evaluations = 1, iterations = 0
        var previous = start
        var bracket: [Point] = []
        var done = false
        // Bracketing phase.
        while iterations < maxEvaluations {
            if current.loss > start.loss + c1 * current.step * start.slope || (iterations > 1 && current.loss >= previous.loss) {
                bracket = [previous, current]
                break
            }
            if Swift.abs(current.slope) <= -c2 * start.slope {
                bracket = [current]
                done = true
                break
            }
            if current.slope >= 0 {
                bracket = [previous, current]
                break
            }
            let minimumStep = current.step + 0.01 * (current.step - previous.step), maximumStep = current.step * 10
            let next = cubicMinimum(previous, current, bounds: (minimumStep, maximumStep))
            previous = current
            current = try point(at: next)
            evaluations += 1
            iterations += 1
        }
        if iterations == maxEvaluations { bracket = [start, current] }
        guard !done, bracket.count == 2 else { return (bracket[0], evaluations) }
        // Zoom phase.
        var insufficientProgress = false
        var (low, high) = bracket[0].loss <= bracket[1].loss ? (0, 1) : (1, 0)
        while !done && iterations < maxEvaluations {
            if Swift.abs(bracket[1].step - bracket[0].step) * directionNorm < toleranceChange { break }
            var t = cubicMinimum(bracket[0], bracket[1], bounds: nil)
            let upper = Swift.max(bracket[0].step, bracket[1].step), lower = Swift.min(bracket[0].step, bracket[1].step)
            let margin = 0.1 * (upper - lower)
            if Swift.min(upper - t, t - lower) < margin {
                // Too close to an end: move away from it if that already happened or t is outside.
                if insufficientProgress || t >= upper || t <= lower {
                    t = Swift.abs(t - upper) < Swift.abs(t - lower) ? upper - margin : lower + margin
                    insufficientProgress = false
                } else {
                    insufficientProgress = true
                }
            } else {
                insufficientProgress = false
            }
            let trial = try point(at: t)
            evaluations += 1
            iterations += 1
            if trial.loss > start.loss + c1 * t * start.slope || trial.loss >= bracket[low].loss {
                bracket[high] = trial
                (low, high) = bracket[0].loss <= bracket[1].loss ? (0, 1) : (1, 0)
            } else {
                if Swift.abs(trial.slope) <= -c2 * start.slope {
                    done = true
                } else if trial.slope * (bracket[high].step - bracket[low].step) >= 0 {
                    bracket[high] = bracket[low]
                }
                bracket[low] = trial
            }
        }
        return (bracket[low], evaluations)
    }

    /// The minimizer of the cubic through two points with their slopes, clamped to `bounds`
    /// (default: between the points); the bounds' midpoint when the cubic has no minimum.
    func cubicMinimum(_ a: Point, _ b: Point, bounds: (Float, Float)?) -> Float {
        let (lowerBound, upperBound) = bounds ?? (Swift.min(a.step, b.step), Swift.max(a.step, b.step))
        let d1 = a.slope + b.slope - 3 * (a.loss - b.loss) / (a.step - b.step)
        let d2Squared = d1 * d1 - a.slope * b.slope
        guard d2Squared >= 0 else { return (lowerBound + upperBound) / 2 }
        let d2 = d2Squared.squareRoot()
        let minimum = a.step <= b.step
            ? b.step - (b.step - a.step) * ((b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2))
            : a.step - (a.step - b.step) * ((a.slope + d2 - d1) / (a.slope - b.slope + 2 * d2))
        return Swift.min(Swift.max(minimum, lowerBound), upperBound)
    }

    func dot(_ a: [Float], _ b: [Float]) -> Float {
        var total: Double = 0
        for i in a.indices { total += Double(a[i]) * Double(b[i]) }
        return Float(total)
    }
}
