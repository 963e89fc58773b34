import XCTest
@testable import Dendrite

/// A finite-difference gradient check for every layer: input and parameter gradients.
final class LayerGradientTests: XCTestCase {
    var generator = RandomGenerator(seed: 21)

    func testLinearAndConvolutionLayers() throws {
        try checkModuleGradients(Linear(5, 3, generator: &generator), input: Tensor.normal([4, 5], generator: &generator), "Linear")
        try checkModuleGradients(Linear(4, 2, bias: false, generator: &generator),
                                 input: Tensor.normal([2, 3, 4], generator: &generator), "Linear no bias")
        try checkModuleGradients(try Conv2D(4, 6, kernelSize: 3, stride: 2, padding: 1, groups: 2, generator: &generator),
                                 input: Tensor.normal([2, 4, 6, 5], generator: &generator), "Conv2D s2 p1 g2")
        try checkModuleGradients(try Conv2D(2, 3, kernelSize: Size2D(2, 3), padding: .same, dilation: Size2D(2, 1),
                                            generator: &generator),
                                 input: Tensor.normal([1, 2, 5, 5], generator: &generator), "Conv2D same") 
    }

    func testPoolingFlattenAndActivationLayers() throws {
        try checkModuleGradients(MaxPool2D(kernelSize: 2), input: distinctValues([2, 2, 4, 6], generator: &generator), "MaxPool2D")
        try checkModuleGradients(AvgPool2D(kernelSize: 3, stride: 2, padding: 1),
                                 input: Tensor.normal([1, 2, 5, 5], generator: &generator), "AvgPool2D")
        try checkModuleGradients(AdaptiveAvgPool2D(outputSize: Size2D(2, 3)),
                                 input: Tensor.normal([2, 2, 5, 7], generator: &generator), "AdaptiveAvgPool2D")
        try checkModuleGradients(Flatten(), input: Tensor.normal([2, 3, 2], generator: &generator), "Flatten")
        let kinked = awayFromZero([3, 4], generator: &generator)
        for (name, layer) in [("ReLU", ReLU()), ("LeakyReLU", LeakyReLU(negativeSlope: 0.1)), ("ELU", ELU(alpha: 0.5))] as [(String, any UnaryLayer)] {
            try checkModuleGradients(layer, input: kinked, name)
        }
        let smooth = Tensor.normal([3, 4], generator: &generator)
        for (name, layer) in [("GELU", GELU()), ("Sigmoid", Sigmoid()), ("Tanh", Tanh()), ("Softmax", Softmax()),
                              ("LogSoftmax", LogSoftmax()), ("Identity", Identity())] as [(String, any UnaryLayer)] {
            try checkModuleGradients(layer, input: smooth, name)
        }
    }

    func testBatchNormInTrainAndEvalMode() throws {
        let bn2 = BatchNorm2D(3)
        bn2.weight!.value = Tensor.normal([3], mean: 1, standardDeviation: 0.3, generator: &generator)
        bn2.bias!.value = Tensor.normal([3], generator: &generator)
        try checkModuleGradients(bn2, input: Tensor.normal([4, 3, 2, 3], generator: &generator), "BatchNorm2D train")
        let bn1 = BatchNorm1D(5)
        try checkModuleGradients(bn1, input: Tensor.normal([6, 5], generator: &generator), "BatchNorm1D train")
        bn2.eval()
        try checkModuleGradients(bn2, input: Tensor.normal([2, 3, 2, 2], generator: &generator), "BatchNorm2D eval")
    }

    func testDropoutWithAFixedMask() throws {
        var mask = Tensor.uniform([3, 4], generator: &generator).greater(0.3) / 0.7
        try checkGradients([Tensor.normal([3, 4], generator: &generator)], "dropout op") { try dropout($0[0], mask: mask) }
        mask = try Tensor.zeros([3, 4])
        XCTAssertEqual(try dropout(Tensor.ones([3, 4]), mask: mask).sum().scalar, 0)
        // The layer with a reset generator draws the same mask every forward.
        let layer = try Dropout(0.4, seed: 5)
        try checkModuleGradients(Sequential { try Linear(4, 6, generator: &generator); layer },
                                 input: Tensor.normal([3, 4], generator: &generator), "Dropout layer") {
            layer.reseed(5)
        }
    }

    func testResidualAndSequentialCompositions() throws {
        let block = Residual(try Sequential { try Linear(4, 4, generator: &generator); Tanh(); try Linear(4, 4, generator: &generator) })
        try checkModuleGradients(block, input: Tensor.normal([2, 4], generator: &generator), "Residual")
        let projected = Residual(try Linear(4, 3, generator: &generator), shortcut: try Linear(4, 3, bias: false, generator: &generator))
        try checkModuleGradients(projected, input: Tensor.normal([2, 4], generator: &generator), "Residual with projection")
    }
}
