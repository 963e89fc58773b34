import Foundation
import XCTest
@testable import Dendrite

/// Attributions against Captum on a fixed CNN (Fixtures/make_attribution_fixtures.py), saliency
/// against the gradient by hand, and integrated gradients' completeness at 50 steps.
final class AttributionTests: XCTestCase {
    struct Fixture: Decodable {
        let weights: [String: [Float]]
        let input: [Float], targets: [Int]
        let saliency: [Float], occlusion: [Float], gradcam_layer_2: [Float]
        let ig_gauss_legendre: [Float], ig_gauss_legendre_delta: [Float]
        let ig_riemann_middle: [Float], ig_riemann_middle_delta: [Float]
    }

    func fixture() throws -> (Fixture, Sequential, Tensor) {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "attribution", withExtension: "json", subdirectory: "data"))
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        var generator = RandomGenerator(seed: 0)
        let model = Sequential([try Conv2D(1, 3, kernelSize: 3, padding: 1, generator: &generator), ReLU(),
                                try Conv2D(3, 4, kernelSize: 3, padding: 1, generator: &generator), ReLU(),
                                MaxPool2D(kernelSize: 2), Flatten(), try Linear(64, 5, generator: &generator)])
        var state: [String: Tensor] = [:]
        for (name, values) in f.weights {
            let shape = try XCTUnwrap(model.stateDict().first { $0.0 == name }?.1.shape, name)
            state[name] = try Tensor(shape: shape, scalars: values)
        }
        try model.load(stateDict: state)
        return (f, model, try Tensor(shape: [2, 1, 8, 8], scalars: f.input))
    }

    func testAttributionsMatchCaptum() throws {
        let (f, model, x) = try fixture()
        model.train()   // the methods switch to eval mode and back
        assertClose(try Attribution.saliency(model, input: x, targets: f.targets), try Tensor(shape: x.shape, scalars: f.saliency),
                    rtol: 1e-4, atol: 1e-6, "saliency")
        for (rule, expected, delta) in [(Attribution.IntegrationRule.gaussLegendre, f.ig_gauss_legendre, f.ig_gauss_legendre_delta),
                                        (.riemannMiddle, f.ig_riemann_middle, f.ig_riemann_middle_delta)] {
            let result = try Attribution.integratedGradients(model, input: x, targets: f.targets, steps: 50, rule: rule)
            assertClose(result.attributions, try Tensor(shape: x.shape, scalars: expected), rtol: 1e-3, atol: 1e-6, "IG \(rule)")
            assertClose(result.completenessGap, delta, rtol: 1e-2, atol: 1e-5, "IG \(rule) convergence delta")
        }
        let occlusion = try Attribution.occlusion(model, input: x, targets: f.targets, window: 3, stride: 2)
        assertClose(occlusion, try Tensor(shape: x.shape, scalars: f.occlusion), rtol: 1e-4, atol: 1e-6, "occlusion")
        let cam = try GradCAM.maps(model, input: x, targets: f.targets, layer: "2")
        XCTAssertEqual(cam.shape, [2, 8, 8])
        assertClose(cam, try Tensor(shape: [2, 8, 8], scalars: f.gradcam_layer_2), rtol: 1e-4, atol: 1e-6, "Grad-CAM")
        XCTAssertTrue(model.layers[2] is Conv2D, "the layer is put back")
        XCTAssertTrue(model.isTraining, "the mode is restored")
        XCTAssertTrue(model.parameters.allSatisfy { $0.requiresGradient && $0.gradient == nil }, "parameters untouched")
        XCTAssertThrowsError(try GradCAM.maps(model, input: x, targets: f.targets, layer: "9")) { XCTAssertTrue("\($0)".contains("9"), "\($0)") }
        XCTAssertThrowsError(try GradCAM.maps(model, input: x, targets: f.targets, layer: "5"), "Flatten's output is not [N, C, h, w]")
        XCTAssertThrowsError(try Attribution.saliency(model, input: x, targets: [1]), "one target per sample")
    }

    func testSaliencyOfALinearModelIsItsWeightRow() throws {
        var generator = RandomGenerator(seed: 1)
        let linear = try Linear(6, 3, generator: &generator)
        let model = Sequential([linear])
        let x = Tensor.normal([2, 6], generator: &generator)
        let saliency = try Attribution.saliency(model, input: x, targets: [2, 0])
        let w = linear.weight.value.scalars
        XCTAssertEqual(saliency.scalars, (w[12..<18] + w[0..<6]).map(Swift.abs))
    }

    /// On the `mlp` and `cnn` presets trained briefly on Fashion-MNIST, for test images and the
    /// class each model predicts (random untrained models have outputs too flat to measure a
    /// relative gap on).
    func testIntegratedGradientsAreCompleteWithinOnePercentAt50Steps() throws {
        guard FileManager.default.fileExists(atPath: FashionMNIST.defaultRoot) else {
            throw XCTSkip("dataset-fashion-mnist is not installed (make test installs it)")
        }
        let data = try FashionMNIST.dataset()
        let train = try data.load(.train, limit: 2000), test = try data.load(.test, limit: 8)
        for (name, seed) in [("mlp", UInt64(2)), ("cnn", 3)] {
            var generator = RandomGenerator(seed: seed)
            let model = try ModelSpec(name, inputShape: [1, 28, 28]).build(generator: &generator)
            try model.fit(train, epochs: 1, batchSize: 64, loss: .crossEntropy, optimizer: try RMSprop(model.parameters, learningRate: 1e-3))
            let logits = try noGrad { try model(test.inputs) }.scalars
            let predicted = (0..<8).map { row in (0..<10).max { logits[row * 10 + $0] < logits[row * 10 + $1] }! }
            let result = try Attribution.integratedGradients(model, input: test.inputs, targets: predicted)
            for (gap, change) in zip(result.completenessGap, result.outputDifference) {
                XCTAssertLessThanOrEqual(Swift.abs(gap), 0.01 * Swift.abs(change), "\(name): gap \(gap) of \(change)")
            }
            let smooth = try Attribution.smoothGrad(model, input: test.inputs, targets: predicted, samples: 4, generator: &generator)
            XCTAssertEqual(smooth.shape, test.inputs.shape)
            XCTAssertTrue(smooth.scalars.allSatisfy { $0 >= 0 } && smooth.scalars.contains { $0 > 0 })
        }
    }
}
