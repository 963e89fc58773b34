import XCTest
@testable import Dendrite

final class ParameterArenaTests: XCTestCase {
    /// A small network with every kind of parameter an optimizer sees: convolution and linear
    /// weights (written by GEMM straight into the arena), biases, batch-norm scale and shift.
    func makeModel(seed: UInt64) throws -> Sequential {
        var generator = RandomGenerator(seed: seed)
        return try Sequential {
            try! Conv2D(1, 3, kernelSize: 3, padding: 1, generator: &generator)
            BatchNorm2D(3); ReLU(); Flatten()
            try Linear(3 * 5 * 5, 7, generator: &generator); Tanh()
            try Linear(7, 4, generator: &generator)
        }
    }

    func batches() -> [(Tensor, Tensor)] {
        var generator = RandomGenerator(seed: 9)
        return (0..<10).map { _ in
            (Tensor.normal([6, 1, 5, 5], generator: &generator),
             Tensor((0..<6).map { _ in Float(generator.nextUniform() < 0.5 ? 1 : 3) }))
        }
    }

    /// Ten steps of `make`'s optimizer, packed into an arena or parameter by parameter.
    func train(packed: Bool, _ make: ([Parameter]) throws -> Optimizer) throws -> (values: [[Float]], optimizer: Optimizer, model: Sequential) {
        let model = try makeModel(seed: 4)
        let optimizer = try make(model.parameters)
        optimizer.packsParameters = packed
        for (inputs, labels) in batches() {
            optimizer.zeroGrad()
            try crossEntropy(logits: try model(inputs), labels: labels).backward()
            try optimizer.step()
        }
        return (model.parameters.map(\.value.scalars), optimizer, model)
    }

    func testEveryOptimizerOverTheArenaEqualsThePerParameterUpdateBitwise() throws {
        let makers: [(String, ([Parameter]) throws -> Optimizer)] = [
            ("SGD", { try SGD($0, learningRate: 0.1) }),
            ("SGD momentum, weight decay", { try SGD($0, learningRate: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 1e-2) }),
            ("SGD Nesterov", { try SGD($0, learningRate: 0.05, momentum: 0.9, nesterov: true) }),
            ("RMSprop", { try RMSprop($0, learningRate: 0.01) }),
            ("RMSprop centered, momentum", { try RMSprop($0, learningRate: 0.01, weightDecay: 1e-3, momentum: 0.5, centered: true) }),
            ("Adam", { try Adam($0, learningRate: 0.01, weightDecay: 1e-3) }),
            ("Adam AMSGrad", { try Adam($0, learningRate: 0.01, amsgrad: true) }),
            ("AdamW", { try AdamW($0, learningRate: 0.01) }),
            ("Adagrad", { try Adagrad($0, learningRate: 0.05, learningRateDecay: 0.01, weightDecay: 1e-3) }),
        ]
        for (name, make) in makers {
            let reference = try train(packed: false, make)
            let packed = try train(packed: true, make)
            XCTAssertNil(reference.optimizer.arena, name)
            let arena = try XCTUnwrap(packed.optimizer.arena, name)
            XCTAssertTrue(packed.model.parameters.allSatisfy(arena.contains), "\(name): every parameter stays in the arena")
            XCTAssertEqual(packed.values, reference.values, "\(name): arena and per-parameter updates differ")
            XCTAssertNotEqual(packed.values, try makeModel(seed: 4).parameters.map(\.value.scalars), "\(name): training moved nothing")
            let packedState = packed.optimizer.stateDict(), referenceState = reference.optimizer.stateDict()
            XCTAssertEqual(packedState.map(\.0), referenceState.map(\.0), name)
            XCTAssertEqual(packedState.map(\.1.scalars), referenceState.map(\.1.scalars), "\(name): optimizer state")
        }
    }

    /// Parameters large enough that the update splits over the cores (2¹⁸ elements and more), at
    /// odd sizes so the chunks of a run and of each parameter start at different places.
    func testLargeRunsSplitOverTheCoresStayBitwiseEqual() throws {
        func run(packed: Bool, _ make: ([Parameter]) throws -> Optimizer) throws -> [[Float]] {
            var generator = RandomGenerator(seed: 12)
            let parameters = [Parameter(Tensor.normal([300_007], generator: &generator)),
                              Parameter(Tensor.normal([3, 5], generator: &generator)),
                              Parameter(Tensor.normal([70_001], generator: &generator))]
            let gradients = (0..<3).map { step in parameters.map { Tensor.normal($0.shape, generator: &generator) * Float(step + 1) } }
            let optimizer = try make(parameters)
            optimizer.packsParameters = packed
            for step in 0..<3 {
                optimizer.zeroGrad()
                for (parameter, gradient) in zip(parameters, gradients[step]) { parameter.gradient = gradient }
                try optimizer.step()
            }
            XCTAssertEqual(optimizer.arena != nil, packed)
            return parameters.map(\.value.scalars)
        }
        let makers: [(String, ([Parameter]) throws -> Optimizer)] = [
            ("SGD momentum", { try SGD($0, learningRate: 0.05, momentum: 0.9, weightDecay: 1e-2) }),
            ("RMSprop", { try RMSprop($0, learningRate: 0.01, weightDecay: 1e-3) }),
            ("Adam", { try Adam($0, learningRate: 0.01) }),
            ("AdamW", { try AdamW($0, learningRate: 0.01) }),
        ]
        for (name, make) in makers {
            XCTAssertEqual(try run(packed: true, make), try run(packed: false, make), name)
        }
    }

    func testAfterFitEveryTrainableParameterLiesInTheArena() throws {
        let model = try makeModel(seed: 1)
        let frozen = try XCTUnwrap(model.layers[4] as? Linear)
        frozen.setTrainable(false)
        let (inputs, labels) = batches()[0]
        let optimizer = try Adam(model.parameters, learningRate: 0.01)
        try model.fit(try TensorDataset(inputs: inputs, targets: labels), epochs: 2, batchSize: 3, loss: .crossEntropy,
                      optimizer: optimizer)
        let arena = try XCTUnwrap(optimizer.arena)
        XCTAssertEqual(arena.parameters.count, model.trainableParameters.count)
        for parameter in model.trainableParameters { XCTAssertTrue(arena.contains(parameter)) }
        XCTAssertFalse(arena.contains(frozen.weight))
        XCTAssertEqual(arena.count, model.trainableParameters.reduce(0) { $0 + $1.value.count })
        var offset = 0
        for (entry, (name, parameter)) in zip(arena.entries, model.namedParameters().filter { $0.1.requiresGradient }) {
            XCTAssertEqual(entry.offset, offset, name)
            XCTAssertEqual(entry.shape, parameter.shape, name)
            offset += entry.count
        }
    }

    func testValuesAndGradientsReadBeforeAStepKeepTheirValues() throws {
        let model = try makeModel(seed: 2)
        let optimizer = try SGD(model.parameters, learningRate: 0.5)
        let (inputs, labels) = batches()[1]
        optimizer.zeroGrad()
        try crossEntropy(logits: try model(inputs), labels: labels).backward()
        let weight = model.parameters[0]
        let valueBefore = weight.value, copyBefore = weight.value.scalars
        let gradientBefore = try XCTUnwrap(weight.gradient), gradientCopy = gradientBefore.scalars
        try optimizer.step()
        XCTAssertEqual(valueBefore.scalars, copyBefore, "a value read before the step is a value")
        XCTAssertNotEqual(weight.value.scalars, copyBefore)
        optimizer.zeroGrad()
        XCTAssertNil(weight.gradient)
        XCTAssertEqual(gradientBefore.scalars, gradientCopy, "a gradient read before zeroGrad keeps its values")
        let arena = try XCTUnwrap(optimizer.arena)
        XCTAssertTrue(arena.gradientBuffer.scalars.allSatisfy { $0 == 0 }, "zeroGrad fills the gradient buffer with zeros")
        XCTAssertTrue(arena.contains(weight))
    }

    func testAssigningValuesAndGradientsKeepsOrLeavesTheSlot() throws {
        let model = try makeModel(seed: 3)
        let arena = try ParameterArena(trainableParametersOf: model)
        let bias = try XCTUnwrap(model.layers[6] as? Linear).bias!
        bias.value = Tensor([1, 2, 3, 4])
        XCTAssertTrue(arena.contains(bias), "a value of the same shape is written into the slot")
        XCTAssertEqual(bias.value.scalars, [1, 2, 3, 4])
        bias.gradient = Tensor([0.5, 0.5, 0.5, 0.5])
        let index = try XCTUnwrap(arena.parameters.firstIndex { $0 === bias })
        XCTAssertEqual(Array(arena.gradientBuffer.scalars[arena.entries[index].offset..<(arena.entries[index].offset + 4)]),
                       [0.5, 0.5, 0.5, 0.5])
        bias.value = Tensor([1, 2])
        XCTAssertFalse(arena.contains(bias), "a value of another shape leaves the arena")
        XCTAssertFalse(arena.isIntact)
        // A second arena takes the parameters; the optimizer of the first still updates them.
        let other = try makeModel(seed: 3)
        let optimizer = try SGD(other.parameters, learningRate: 0.1)
        optimizer.zeroGrad()
        _ = try ParameterArena(other.parameters)
        XCTAssertFalse(try XCTUnwrap(optimizer.arena).isIntact)
        for parameter in other.parameters { parameter.gradient = try Tensor.ones(parameter.shape) }
        let before = other.parameters.map(\.value.scalars)
        try optimizer.step()
        for (parameter, old) in zip(other.parameters, before) {
            XCTAssertEqual(parameter.value.scalars, old.map { $0 - 0.1 })
        }
    }

    func testBucketsCoverTheArenaLastEntriesFirst() throws {
        let model = try makeModel(seed: 5)
        let arena = try ParameterArena(trainableParametersOf: model)
        let buckets = arena.buckets(maximumBytes: 256)
        XCTAssertEqual(buckets.first?.upperBound, arena.entries.count)
        XCTAssertEqual(buckets.last?.lowerBound, 0)
        for (later, earlier) in zip(buckets, buckets.dropFirst()) { XCTAssertEqual(earlier.upperBound, later.lowerBound) }
        for bucket in buckets where bucket.count > 1 {
            XCTAssertLessThanOrEqual(arena.entries[bucket].reduce(0) { $0 + $1.count } * 4, 256)
        }
        XCTAssertEqual(arena.buckets().count, 1)
        XCTAssertThrowsError(try ParameterArena([model.parameters[0], model.parameters[0]]))
    }

    func testReviewCasesKeepValuesAndSlots() throws {
        // The whole-buffer tensors are copies: a step does not change them.
        let model = try makeModel(seed: 6)
        let optimizer = try SGD(model.parameters, learningRate: 0.5)
        let (inputs, labels) = batches()[2]
        optimizer.zeroGrad()
        try crossEntropy(logits: try model(inputs), labels: labels).backward()
        let arena = try XCTUnwrap(optimizer.arena)
        let before = arena.valueBuffer, copy = before.scalars
        try optimizer.step()
        XCTAssertEqual(before.scalars, copy)
        XCTAssertNotEqual(arena.valueBuffer.scalars, copy)
        // A parameter outside any arena holding another's arena view is updated by copy: the other
        // parameter keeps its slot and its value.
        let owner = model.parameters[0], outsider = Parameter(owner.value)
        let ownerValue = owner.value.scalars
        let plain = try SGD([outsider], learningRate: 1)
        plain.packsParameters = false
        outsider.gradient = try Tensor.ones(outsider.shape)
        try plain.step()
        XCTAssertTrue(arena.contains(owner))
        XCTAssertEqual(owner.value.scalars, ownerValue)
        XCTAssertEqual(outsider.value.scalars, ownerValue.map { $0 - 1 })
        // A parameter twice in one optimizer is refused, as PyTorch does.
        XCTAssertThrowsError(try SGD(groups: [ParameterGroup([owner], learningRate: 0.1), ParameterGroup([owner], learningRate: 0.2)]))
        // State of the wrong size is refused instead of being written past its end.
        let momentum = try SGD(model.parameters, learningRate: 0.1, momentum: 0.9)
        XCTAssertThrowsError(try momentum.load(stateDict: ["state.0.0.momentum_buffer": Tensor(0)]))
        // Found by the optimizer fuzz target: a step count beyond Int's range trapped on conversion.
        let adam = try Adam(model.parameters)
        for bad: Float in [3e30, -1, .nan, 2.5] {
            XCTAssertThrowsError(try adam.load(stateDict: ["step": Tensor(bad)])) { XCTAssertTrue("\($0)".contains("step count"), "\($0)") }
            XCTAssertThrowsError(try adam.load(stateDict: ["state.0.0.step": Tensor(bad)]))
        }
        XCTAssertThrowsError(try adam.load(stateDict: ["lr.0": Tensor(Float.infinity)]))
    }
}
