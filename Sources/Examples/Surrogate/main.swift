// A surrogate model (the course's research line on simulating costly functions): an MLPRegressor
// learns θ ↦ the smallest eigenvalue of A(θ) = B + Σᵢ θᵢ·Cᵢ, a 96×96 symmetric matrix whose
// eigenvalues LAPACKE computes directly (ssyevd), and then answers in a fraction of the time.
// Run: swift run -c release Surrogate [--samples 3000] [--size 96] [--parameters 4]
import ArgumentParser
import Dendrite
import Foundation

struct Surrogate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train an MLPRegressor to stand in for an eigenvalue computation, and measure its error and speed-up.")

    @Option(help: "Training samples of the costly function (a quarter more are held out for testing).") var samples = 3_000
    @Option(help: "Matrix size n.") var size = 96
    @Option(help: "Parameters θ (each in [−1, 1]).") var parameters = 4
    @Option(help: "Seed.") var seed: UInt64 = 0

    func run() throws {
        var generator = RandomGenerator(seed: seed)
        // Fixed random symmetric matrices: A(θ) = B + Σ θᵢ·Cᵢ.
        func symmetric() throws -> Tensor {
            let m = Tensor.normal([size, size], generator: &generator)
            return try (m + m.transposed()) / Float(2 * Int(Double(size).squareRoot()))
        }
        let base = try symmetric(), directions = try (0..<parameters).map { _ in try symmetric() }
        func costly(_ theta: [Float]) throws -> Float {
            var a = base
            for (weight, direction) in zip(theta, directions) { a = try a + direction * weight }
            return try LinearAlgebra.symmetricEigen(a).values.min().scalar!
        }
        let total = samples + samples / 4
        let thetas = Tensor.uniform([total, parameters], low: -1, high: 1, generator: &generator)
        let clock = ContinuousClock()
        var values: [Float] = []
        let direct = try clock.measure {
            for row in 0..<total { values.append(try costly(Array(thetas.scalars[(row * parameters)..<((row + 1) * parameters)]))) }
        }
        let directSeconds = seconds(direct) / Double(total)
        let targets = try Tensor(values)
        let (trainX, testX) = (try thetas.slice(0..<samples), try thetas.slice(samples..<total))
        let (trainY, testY) = (try targets.slice(0..<samples), try targets.slice(samples..<total))

        var settings = MLPHyperparameters()
        settings.hiddenLayerSizes = [64, 64]
        settings.activation = .tanh
        settings.solver = .lbfgs
        settings.maxIterations = 2_000
        settings.alpha = 1e-5
        settings.randomState = seed
        let surrogate = MLPRegressor(settings)
        let training = try clock.measure { try surrogate.fit(trainX, trainY) }
        var predicted = Tensor(0)
        let inference = try clock.measure { predicted = try surrogate.predict(testX) }
        let perPrediction = seconds(inference) / Double(testX.shape[0])
        let errors = zip(predicted.scalars, testY.scalars).map { Double($0 - $1) }
        let rmse = (errors.reduce(0) { $0 + $1 * $1 } / Double(errors.count)).squareRoot()
        let spread = Double(testY.max().scalar! - testY.min().scalar!)
        print("f(θ) = λ_min(B + Σ θᵢ·Cᵢ), n = \(size), \(parameters) parameters · \(Dendrite.backendDescription)")
        print("direct: \(String(format: "%.1f", directSeconds * 1e6)) µs per evaluation (LAPACKE ssyevd), \(total) evaluations")
        print("surrogate: MLPRegressor(64, 64, tanh, lbfgs), fitted in \(String(format: "%.2f", seconds(training))) s "
              + "on \(samples) samples (\(surrogate.iterationCount) iterations)")
        print("test: R² \(String(format: "%.5f", try surrogate.score(testX, testY))), RMSE \(String(format: "%.4f", rmse)) "
              + "(\(String(format: "%.2f", 100 * rmse / spread)) % of the range \(String(format: "%.3f", spread))), "
              + "max |error| \(String(format: "%.4f", errors.map(Swift.abs).max() ?? 0))")
        print("speed-up: \(String(format: "%.2f", perPrediction * 1e6)) µs per prediction (batch of \(testX.shape[0])) — "
              + "\(Int((directSeconds / perPrediction).rounded()))× faster than computing f")
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}

Surrogate.main()
