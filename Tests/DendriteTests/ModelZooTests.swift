import XCTest
@testable import Dendrite

/// Predefined architectures: parameter totals as torchvision's, torchvision's names, shapes.
final class ModelZooTests: XCTestCase {
    func testLeNet5HasItsClassicParameterCountAndRuns() throws {
        let model = try Models.lenet5()
        XCTAssertEqual(model.parameterCount, 61_706)
        XCTAssertEqual(try model.summary(input: [1, 32, 32]).totalParameters, 61_706)
        XCTAssertEqual(try model(Tensor.zeros([2, 1, 32, 32])).shape, [2, 10])
    }

    func testResNetTotalsAndNamesMatchTorchvision() throws {
        let resnet18 = try Models.resnet18()
        XCTAssertEqual(resnet18.parameterCount, 11_689_512)
        let names = Set(resnet18.stateDict().map(\.0))
        for key in ["conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight", "layer1.1.bn2.bias",
                    "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_var", "layer4.1.conv2.weight", "fc.weight", "fc.bias"] {
            XCTAssertTrue(names.contains(key), key)
        }
        XCTAssertFalse(names.contains("layer1.0.downsample.0.weight"), "no projection where the shape is kept")
        XCTAssertEqual(names.count, 122, "torchvision's resnet18 state_dict has 122 entries")
        XCTAssertEqual(try resnet18.summary(input: [3, 224, 224]).outputShape, [1000])
        XCTAssertEqual(try Models.resnet34().parameterCount, 21_797_672)
        XCTAssertEqual(try Models.resnet50().parameterCount, 25_557_032)
        let small = try Models.resnet18(classCount: 7)
        small.eval()
        XCTAssertEqual(try small(Tensor.zeros([1, 3, 64, 64])).shape, [1, 7])
    }
}
