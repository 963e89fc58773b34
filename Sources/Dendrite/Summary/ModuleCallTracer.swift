/// Records the calls of a traced forward pass for ``UnaryLayer/summary(input:)``: which children
/// ran, in what order, and the shape each returned.
///
/// The root and every container (``Sequential``, ``ModuleList``) reached through expanded
/// modules are expanded: their children's calls become rows; calls deeper inside a row (a
/// block's convolutions) do not.
final class ModuleCallTracer {
    /// The tracer of the summary running on this thread or task, if any.
    @TaskLocal static var current: ModuleCallTracer?

    private let root: Module
    private var expanded: Set<ObjectIdentifier> = []
    private var paths: [ObjectIdentifier: String] = [:]
    private var stack: [ObjectIdentifier] = []
    private var rows: [LayerSummary] = []
    private var called: Set<ObjectIdentifier> = []

    init(root: Module) {
        self.root = root
        for (path, module) in root.namedModules() { paths[ObjectIdentifier(module)] = path }
        expand(root)
    }

    private func expand(_ module: Module) {
        expanded.insert(ObjectIdentifier(module))
        for (_, child) in module.namedChildren where child is ModuleContainer { expand(child) }
    }

    /// Runs `body` (the forward pass of `layer` on `input`) and records a row when `layer` is a
    /// child of an expanded module. A row's declared shape is checked before it runs (so an input
    /// it cannot take is reported per sample, before any compute) and against its output after;
    /// shape errors name the row's path.
    func trace(_ layer: any UnaryLayer, input: Tensor, _ body: () throws -> Tensor) throws -> Tensor {
        let id = ObjectIdentifier(layer)
        let isRow = stack.last.map { expanded.contains($0) } == true && !expanded.contains(id)
        stack.append(id)
        defer { stack.removeLast() }
        guard isRow else { return try body() }
        let declared: [Int], output: Tensor
        do {
            declared = try layer.outputShape(forInput: Array(input.shape.dropFirst()))
            output = try body()
        } catch let DendriteError.shapeMismatch(operation, expected, got) where !operation.hasPrefix("layer ") {
            throw DendriteError.shapeMismatch(operation: "layer \(path(of: layer)) \(operation)", expected: expected, got: got)
        }
        let shape = Array(output.shape.dropFirst())
        guard declared == shape else {
            throw DendriteError.shapeMismatch(operation: "layer \(path(of: layer)) \(layer.typeName).outputShape(forInput:)",
                                              expected: "the forward output's \(shape)", got: "declared \(declared)")
        }
        called.insert(id)
        rows.append(row(for: layer, outputShape: shape))
        return output
    }

    /// The rows in call order; a model without children is one row, its own parameters (if it
    /// also has children) a first row, and children that never ran are listed last with no shape.
    func finishedRows(output: [Int]) -> [LayerSummary] {
        guard !root.namedChildren.isEmpty else { return [row(for: root, outputShape: output, ownOnly: false)] }
        var result = rows
        if !root.localParameters.isEmpty { result.insert(row(for: root, outputShape: output, ownOnly: true), at: 0) }
        var missing: [LayerSummary] = []
        for (_, module) in root.namedModules() {
            let id = ObjectIdentifier(module)
            guard !expanded.contains(id), !called.contains(id), let parent = parentPath(of: module),
                  expanded.contains(ObjectIdentifier(parent)) else { continue }
            missing.append(row(for: module, outputShape: []))
        }
        return result + missing
    }

    private func parentPath(of module: Module) -> Module? {
        let path = path(of: module)
        guard !path.isEmpty, path != "model" else { return nil }
        let parent = path.split(separator: ".").dropLast().joined(separator: ".")
        return try? root.module(at: parent)
    }

    private func path(of module: Module) -> String {
        let path = paths[ObjectIdentifier(module)] ?? ""
        return path.isEmpty ? "model" : path
    }

    private func row(for module: Module, outputShape: [Int], ownOnly: Bool = false) -> LayerSummary {
        let named = ownOnly ? module.localParameters : module.namedParameters()
        let biases = named.filter { $0.0 == "bias" || $0.0.hasSuffix(".bias") || $0.0.hasSuffix("_bias") }
            .reduce(0) { $0 + $1.1.value.count }
        let total = named.reduce(0) { $0 + $1.1.value.count }
        let frozen = named.filter { !$0.1.requiresGradient }.reduce(0) { $0 + $1.1.value.count }
        return LayerSummary(path: path(of: module), type: module.typeName, outputShape: outputShape,
                            weights: total - biases, biases: biases, frozen: frozen)
    }
}
