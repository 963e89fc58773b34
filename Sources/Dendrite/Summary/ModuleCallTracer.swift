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
    /// Each module's parent in the tree (its first, for a shared module).
    private var parents: [ObjectIdentifier: ObjectIdentifier] = [:]
    private var rows: [LayerSummary] = []
    private var called: Set<ObjectIdentifier> = []

    init(root: Module) {
        self.root = root
        for (path, module) in root.namedModules() {
            paths[ObjectIdentifier(module)] = path
            for (_, child) in module.namedChildren where parents[ObjectIdentifier(child)] == nil && child !== root {
                parents[ObjectIdentifier(child)] = ObjectIdentifier(module)
            }
        }
        expand(root)
    }

    private func expand(_ module: Module) {
        expanded.insert(ObjectIdentifier(module))
        for (_, child) in module.namedChildren where child is ModuleContainer { expand(child) }
    }

    /// Runs `body` (the forward pass of `layer` on `input`) and records a row each time a child of
    /// an expanded module runs — its parameters counted on its first row only (rows follow the
    /// tree, not the call stack, so calls inside a layer that is not a ``UnaryLayer`` are not rows). A row's declared shape is checked
    /// before it runs (an input it cannot take is reported per sample, before any compute) and
    /// against its output after; shape errors name the row's path.
    func trace(_ layer: any UnaryLayer, input: Tensor, _ body: () throws -> Tensor) throws -> Tensor {
        let id = ObjectIdentifier(layer)
        let isRow = parents[id].map(expanded.contains) == true && !expanded.contains(id)
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
        rows.append(row(for: layer, outputShape: shape, counted: !called.contains(id)))
        called.insert(id)
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
            guard !expanded.contains(id), !called.contains(id), let parent = parents[id], expanded.contains(parent) else { continue }
            missing.append(row(for: module, outputShape: []))
        }
        return result + missing
    }

    private func path(of module: Module) -> String {
        let path = paths[ObjectIdentifier(module)] ?? ""
        return path.isEmpty ? "model" : path
    }

    private func row(for module: Module, outputShape: [Int], ownOnly: Bool = false, counted: Bool = true) -> LayerSummary {
        let named = counted ? (ownOnly ? module.localParameters : module.namedParameters()) : []
        // `bias`, `…_bias`, and the recurrent layers' `bias_ih_l0`, `bias_hh_l1_reverse`.
        let biases = named.filter { name, _ in
            let last = name.split(separator: ".").last.map(String.init) ?? name
            return last == "bias" || last.hasSuffix("_bias") || last.hasPrefix("bias_")
        }
            .reduce(0) { $0 + $1.1.value.count }
        let total = named.reduce(0) { $0 + $1.1.value.count }
        let frozen = named.filter { !$0.1.requiresGradient }.reduce(0) { $0 + $1.1.value.count }
        return LayerSummary(path: path(of: module), type: module.typeName, outputShape: outputShape,
                            weights: total - biases, biases: biases, frozen: frozen)
    }
}
