import Dendrite

/// Turns the nodes of a chain graph into layers, one node (or one known pattern) at a time,
/// checking each node reads the previous output and each layer fits the shape before it.
struct ONNXChainBuilder {
    let tensors: ONNXTensors
    let opset: Int
    /// The name of the value the next node must read.
    private(set) var current: String
    /// One sample's shape at `current`.
    private(set) var shape: [Int]
    private(set) var layers: [any UnaryLayer] = []
    private var generator = RandomGenerator(seed: 0)

    init(tensors: ONNXTensors, opset: Int, current: String, shape: [Int]) {
        self.tensors = tensors
        self.opset = opset
        self.current = current
        self.shape = shape
    }

    /// Adds the layer of `nodes[index]` (and the nodes of its pattern); returns how many nodes it used.
    mutating func add(_ nodes: [Onnx_NodeProto], at index: Int) throws -> Int {
        let node = nodes[index]
        guard node.input.first == current else {
            throw refuse(node, "reads \"\(node.input.first ?? "")\", not the previous layer's output \"\(current)\": only chains of "
                         + "layers import (residual and branching graphs do not)")
        }
        if let other = node.input.dropFirst().first(where: { !$0.isEmpty && !tensors.isConstant($0) }) {
            throw refuse(node, "joins \"\(current)\" with another branch (\"\(other)\"): only chains of layers import "
                         + "(residual and branching graphs do not)")
        }
        var used = 1
        let layer: (any UnaryLayer)?
        switch node.opType {
        case "Gemm": layer = try gemm(node)
        case "MatMul":
            let (linear, foldedBias) = try matMul(node, next: nodes.indices.contains(index + 1) ? nodes[index + 1] : nil)
            layer = linear
            used += foldedBias ? 1 : 0
        case "Conv": layer = try convolution(node)
        case "MaxPool", "AveragePool": layer = try pooling(node)
        case "GlobalAveragePool": layer = AdaptiveAvgPool2D(outputSize: 1)
        case "BatchNormalization": layer = try batchNorm(node)
        case "Flatten":
            guard attribute(node, "axis")?.i ?? 1 == 1 else { throw refuse(node, "flattens from an axis other than 1") }
            layer = Flatten()
        case "Reshape": layer = try reshape(node)
        case "Relu": layer = ReLU()
        case "Sigmoid": layer = Sigmoid()
        case "Tanh": layer = Tanh()
        case "LeakyRelu": layer = LeakyReLU(negativeSlope: attribute(node, "alpha")?.f ?? 0.01)
        case "Elu": layer = ELU(alpha: attribute(node, "alpha")?.f ?? 1)
        case "Softmax", "LogSoftmax":
            let axis = Int(attribute(node, "axis")?.i ?? (opset >= 13 ? -1 : 1))
            guard opset >= 13 || (shape.count == 1 && (axis == 1 || axis == -1)) else {
                throw refuse(node, "before opset 13 softmax flattens its input from the axis; only [N, F] along axis 1 imports")
            }
            layer = node.opType == "Softmax" ? Softmax(axis: axis) : LogSoftmax(axis: axis)
        case "Clip": layer = try clip(node)
        case "Div" where isExportedGELU(nodes, at: index):
            layer = GELU()
            used = 5
        case "Dropout", "Identity": layer = nil
        default:
            throw refuse(node, "operator \(node.opType) is not in the subset that imports (chains of dense, conv, pooling, "
                         + "batch norm, flatten, reshape and activation layers)")
        }
        if let layer {
            shape = try layer.outputShape(forInput: shape)
            layers.append(layer)
        }
        guard let output = nodes[index + used - 1].output.first else { throw refuse(node, "has no output") }
        current = output
        return used
    }

    // MARK: - Layers

    private mutating func gemm(_ node: Onnx_NodeProto) throws -> Linear {
        guard attribute(node, "transA")?.i ?? 0 == 0, attribute(node, "alpha")?.f ?? 1 == 1, attribute(node, "beta")?.f ?? 1 == 1 else {
            throw refuse(node, "uses transA, alpha or beta (only x·Wᵀ + b and x·W + b import)")
        }
        var weight = try tensors.float(try input(node, 1), for: node)
        guard weight.rank == 2 else { throw refuse(node, "has a weight of shape \(weight.shape)") }
        if attribute(node, "transB")?.i ?? 0 == 0 { weight = weight.transposed() }
        let bias = try node.input.count > 2 && !node.input[2].isEmpty ? tensors.float(node.input[2], for: node) : nil
        return try linear(node, weight: weight, bias: bias)
    }

    /// `MatMul` by a constant `[in, out]`, with the `Add` of a constant `[out]` right after it folded in as the bias.
    private mutating func matMul(_ node: Onnx_NodeProto, next: Onnx_NodeProto?) throws -> (Linear, Bool) {
        let weight = try tensors.float(try input(node, 1), for: node)
        guard weight.rank == 2 else { throw refuse(node, "multiplies by a tensor of shape \(weight.shape)") }
        if let next, next.opType == "Add", next.input.count == 2, next.input[0] == node.output.first,
           let bias = try? tensors.float(next.input[1], for: next), bias.shape == [weight.shape[1]] {
            return (try linear(node, weight: weight.transposed(), bias: bias), true)
        }
        return (try linear(node, weight: weight.transposed(), bias: nil), false)
    }

    private mutating func linear(_ node: Onnx_NodeProto, weight: Tensor, bias: Tensor?) throws -> Linear {
        let (outputs, inputs) = (weight.shape[0], weight.shape[1])
        guard bias == nil || bias!.count == outputs else { throw refuse(node, "has a bias of shape \(bias!.shape) for \(outputs) outputs") }
        let layer = try Linear(inputs, outputs, bias: bias != nil, weightInitializer: .zeros, generator: &generator)
        layer.weight.value = weight
        if let bias { layer.bias?.value = try bias.reshaped(to: [outputs]) }
        return layer
    }

    private mutating func convolution(_ node: Onnx_NodeProto) throws -> Conv2D {
        let weight = try tensors.float(try input(node, 1), for: node)
        guard weight.rank == 4, attribute(node, "auto_pad").map({ String(decoding: $0.s, as: UTF8.self) == "NOTSET" }) ?? true else {
            throw refuse(node, "is not a 2-D convolution with explicit padding (weight \(weight.shape))")
        }
        let groups = Int(clamping: attribute(node, "group")?.i ?? 1)
        guard groups >= 1, groups <= weight.shape[0], weight.shape[1].multipliedReportingOverflow(by: groups).overflow == false else {
            throw refuse(node, "has group \(groups) for a weight of shape \(weight.shape)")
        }
        let padding = try symmetricPadding(node)
        let bias = try node.input.count > 2 && !node.input[2].isEmpty ? tensors.float(node.input[2], for: node) : nil
        guard bias == nil || bias!.count == weight.shape[0] else {
            throw refuse(node, "has a bias of shape \(bias!.shape) for \(weight.shape[0]) output channels")
        }
        let layer = try Conv2D(weight.shape[1] * groups, weight.shape[0], kernelSize: Size2D(weight.shape[2], weight.shape[3]),
                               stride: try pair(node, "strides", default: 1), padding: .explicit(height: padding.height, width: padding.width),
                               dilation: try pair(node, "dilations", default: 1), groups: groups, bias: bias != nil,
                               weightInitializer: .zeros, generator: &generator)
        layer.weight.value = weight
        if let bias { layer.bias?.value = try bias.reshaped(to: [weight.shape[0]]) }
        return layer
    }

    private func pooling(_ node: Onnx_NodeProto) throws -> any UnaryLayer {
        guard let kernel = attribute(node, "kernel_shape")?.ints, kernel.count == 2, kernel.allSatisfy({ $0 >= 1 && $0 <= Self.sizeLimit }) else {
            throw refuse(node, "is not a 2-D pooling with kernel sizes in 1…\(Self.sizeLimit)")
        }
        guard attribute(node, "auto_pad").map({ String(decoding: $0.s, as: UTF8.self) == "NOTSET" }) ?? true else {
            throw refuse(node, "pads automatically (auto_pad); only explicit pads import")
        }
        guard try pair(node, "dilations", default: 1) == 1 else { throw refuse(node, "uses dilated pooling") }
        let padding = try symmetricPadding(node), stride = try pair(node, "strides", default: 1)
        let ceilMode = attribute(node, "ceil_mode")?.i ?? 0 == 1, size = Size2D(Int(kernel[0]), Int(kernel[1]))
        if node.opType == "MaxPool" { return MaxPool2D(kernelSize: size, stride: stride, padding: padding, ceilMode: ceilMode) }
        guard attribute(node, "count_include_pad")?.i ?? 0 == 1 || padding == 0 else {
            throw refuse(node, "averages without counting padding (Dendrite counts it, as PyTorch's default)")
        }
        return AvgPool2D(kernelSize: size, stride: stride, padding: padding, ceilMode: ceilMode)
    }

    private func batchNorm(_ node: Onnx_NodeProto) throws -> BatchNorm {
        guard node.input.count >= 5, attribute(node, "training_mode")?.i ?? 0 == 0 else { throw refuse(node, "is not an inference batch norm") }
        let (scale, shift) = (try tensors.float(node.input[1], for: node), try tensors.float(node.input[2], for: node))
        let (mean, variance) = (try tensors.float(node.input[3], for: node), try tensors.float(node.input[4], for: node))
        let channels = scale.count
        guard [shift, mean, variance].allSatisfy({ $0.count == channels }), shape.first == channels else {
            throw refuse(node, "has statistics for \(channels) channels, the input has shape \(shape)")
        }
        let epsilon = attribute(node, "epsilon")?.f ?? 1e-5
        let norm: BatchNorm = shape.count == 3 ? BatchNorm2D(channels, epsilon: epsilon) : BatchNorm1D(channels, epsilon: epsilon)
        norm.weight?.value = try scale.reshaped(to: [channels])
        norm.bias?.value = try shift.reshaped(to: [channels])
        norm.runningMean.value = try mean.reshaped(to: [channels])
        norm.runningVar.value = try variance.reshaped(to: [channels])
        return norm
    }

    private func reshape(_ node: Onnx_NodeProto) throws -> any UnaryLayer {
        let target = try tensors.integers(try input(node, 1), for: node)
        guard let first = target.first, first == 0 || first == -1 else { throw refuse(node, "reshapes the batch dimension (\(target))") }
        let allowZero = attribute(node, "allowzero")?.i ?? 0 == 1
        // 0 copies the input's size at that position (unless allowzero); one -1 takes what is left.
        var rest = try Array(target.dropFirst()).enumerated().map { index, size -> Int in
            guard size == 0, !allowZero else { return size }
            guard index < shape.count else { throw refuse(node, "copies dimension \(index + 1) of a \(shape.count + 1)-D input") }
            return shape[index]
        }
        let cannot = refuse(node, "cannot reshape \(shape) to \(target)")
        guard let count = Tensor.checkedElementCount(of: shape), rest.filter({ $0 == -1 }).count <= 1, rest.allSatisfy({ $0 >= 1 || $0 == -1 }) else { throw cannot }
        if let free = rest.firstIndex(of: -1) {
            guard let known = Tensor.checkedElementCount(of: rest.enumerated().filter { $0.offset != free }.map(\.element)), known > 0, count % known == 0 else {
                throw cannot
            }
            rest[free] = count / known
        }
        guard Tensor.checkedElementCount(of: rest) == count else { throw cannot }
        return rest.count == 1 ? Flatten() : try Reshape(rest)
    }

    private func clip(_ node: Onnx_NodeProto) throws -> any UnaryLayer {
        func bound(_ position: Int, _ name: String) throws -> Float? {
            if opset < 11 { return attribute(node, name)?.f }
            guard node.input.count > position, !node.input[position].isEmpty else { return nil }
            let value = try tensors.float(node.input[position], for: node)
            guard value.count == 1 else { throw refuse(node, "has a non-scalar \(name)") }
            return value.scalars[0]
        }
        guard try bound(1, "min") == 0 else { throw refuse(node, "clips from a lower bound other than 0 (only ReLU-like clips import)") }
        return try bound(2, "max").map { BoundedReLU(upperBound: $0) } ?? ReLU()
    }

    /// `x/√2 → Erf → +1`, `x·½`, product: the GELU that `exportONNX` writes for opset 17, its
    /// constants included (any other such chain is refused as the operators it is).
    func isExportedGELU(_ nodes: [Onnx_NodeProto], at index: Int) -> Bool {
        guard index + 4 < nodes.count else { return false }
        let (div, erf, half, add, product) = (nodes[index], nodes[index + 1], nodes[index + 2], nodes[index + 3], nodes[index + 4])
        func constant(_ node: Onnx_NodeProto, _ value: Float) -> Bool {
            guard node.input.count == 2, let tensor = try? tensors.float(node.input[1], for: node), tensor.count == 1 else { return false }
            return abs(tensor.scalars[0] - value) <= 1e-6 * value
        }
        let x = div.input.first
        return constant(div, Float(2).squareRoot())
            && erf.opType == "Erf" && erf.input == [div.output.first ?? ""]
            && half.opType == "Mul" && half.input.first == x && constant(half, 0.5)
            && add.opType == "Add" && add.input.first == erf.output.first && constant(add, 1)
            && product.opType == "Mul" && product.input.count == 2
            && Set(product.input) == Set([half.output.first ?? "", add.output.first ?? ""])
    }


    // MARK: - Attributes

    /// The largest size, stride or padding read from a file (the kernels' 32-bit range).
    static let sizeLimit = Int64(Int32.max)

    private func attribute(_ node: Onnx_NodeProto, _ name: String) -> Onnx_AttributeProto? {
        node.attribute.first { $0.name == name }
    }

    private func input(_ node: Onnx_NodeProto, _ position: Int) throws -> String {
        guard node.input.count > position, !node.input[position].isEmpty else { throw refuse(node, "lacks input \(position)") }
        return node.input[position]
    }

    private func pair(_ node: Onnx_NodeProto, _ name: String, default value: Int) throws -> Size2D {
        guard let values = attribute(node, name)?.ints else { return Size2D(value, value) }
        guard values.count == 2, values.allSatisfy({ $0 >= 1 && $0 <= Self.sizeLimit }) else { throw refuse(node, "has \(name) \(values)") }
        return Size2D(Int(values[0]), Int(values[1]))
    }

    private func symmetricPadding(_ node: Onnx_NodeProto) throws -> Size2D {
        guard let pads = attribute(node, "pads")?.ints else { return 0 }
        guard pads.count == 4, pads[0] == pads[2], pads[1] == pads[3], pads.allSatisfy({ $0 >= 0 && $0 <= Self.sizeLimit }) else {
            throw refuse(node, "pads \(pads) unevenly (Dendrite pads both sides alike)")
        }
        return Size2D(Int(pads[0]), Int(pads[1]))
    }

    private func refuse(_ node: Onnx_NodeProto, _ reason: String) -> DendriteError {
        tensors.invalid("\(node.opType) node \"\(node.name)\" \(reason)")
    }
}
