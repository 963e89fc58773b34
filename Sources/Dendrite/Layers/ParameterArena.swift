/// All of a model's trainable parameters in one contiguous buffer, and their gradients in
/// another: each ``Parameter``'s value and gradient are views into them.
///
/// With an arena, zeroing every gradient is one fill, an elementwise optimizer steps over runs of
/// consecutive parameters in one pass each (over the whole arena when every parameter has a
/// gradient), and a data-parallel reduction sends ``buckets(maximumBytes:firstBucketBytes:)`` of the gradient
/// buffer instead of one message per parameter. Optimizers build one over their parameters on
/// first use (``Optimizer/arena``).
///
/// The layout is public and stable: ``entries`` lists each parameter's name, offset, count and
/// shape in the order given, with no padding between them.
///
/// Values stay values: a tensor read from a parameter before the optimizer writes the arena keeps
/// the value it had (the arena detaches such shared views before writing).
public final class ParameterArena {
    /// One parameter's place in the arena.
    public struct Entry: Equatable, Sendable {
        /// The parameter's name (its `state_dict` name when the arena was built from a model).
        public let name: String
        /// Offset of its first scalar.
        public let offset: Int
        /// Number of scalars.
        public let count: Int
        /// Its shape.
        public let shape: [Int]
    }

    /// The parameters, in arena order.
    public let parameters: [Parameter]
    /// Where each parameter lies, in arena order.
    public let entries: [Entry]
    /// Scalars in the arena (the sum of every entry's count).
    public let count: Int
    let values: TensorStorage
    let gradients: TensorStorage

    /// Moves `parameters` into a new arena (their values and any gradients are copied in; a
    /// parameter already in another arena leaves it). `names` default to `"0"`, `"1"`, ….
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when a parameter
    ///   appears twice or the names do not match the parameters one to one.
    public init(_ parameters: [Parameter], names: [String]? = nil) throws {
        let names = names ?? parameters.indices.map(String.init)
        guard names.count == parameters.count else {
            throw DendriteError.invalidArgument(operation: "ParameterArena", argument: "names",
                                                reason: "\(names.count) names for \(parameters.count) parameters")
        }
        var seen = Set<ObjectIdentifier>(), entries: [Entry] = [], offset = 0
        for (name, parameter) in zip(names, parameters) {
            guard seen.insert(ObjectIdentifier(parameter)).inserted else {
                throw DendriteError.invalidArgument(operation: "ParameterArena", argument: "parameter \"\(name)\"",
                                                    reason: "appears more than once")
            }
            entries.append(Entry(name: name, offset: offset, count: parameter.value.count, shape: parameter.shape))
            offset += parameter.value.count
        }
        self.parameters = parameters
        self.entries = entries
        count = offset
        values = TensorStorage(count: offset)
        gradients = TensorStorage(count: offset)
        for (parameter, entry) in zip(parameters, entries) {
            parameter.bind(values: values, gradients: gradients, offset: entry.offset)
        }
    }

    /// Moves a model's trainable parameters into a new arena, named by their `state_dict` names.
    public convenience init(trainableParametersOf model: Module) throws {
        let named = model.namedParameters().filter { $0.1.requiresGradient }
        try self.init(named.map(\.1), names: named.map(\.0))
    }

    /// Whether `parameter`'s value lies in this arena.
    public func contains(_ parameter: Parameter) -> Bool {
        guard let index = parameters.firstIndex(where: { $0 === parameter }) else { return false }
        return holds(index)
    }

    /// Whether the parameter at `index` still views its slot (it left if it was moved into
    /// another arena or given a value of another shape).
    func holds(_ index: Int) -> Bool { parameters[index].isBound(to: values, at: entries[index].offset) }

    /// Whether every parameter is still in its slot.
    public var isIntact: Bool { parameters.indices.allSatisfy(holds) }

    /// Clears every gradient: each parameter's gradient becomes `nil` and the gradient buffer is
    /// set to zero in one fill (so a parameter that receives no gradient contributes zeros to a
    /// reduction of ``gradientBuffer``).
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
        for parameter in parameters { parameter.releaseSharedGradientView() }
        if isIntact { return ArenaKernels.zero(gradients) }
        // A parameter that left may have left a view of its old slot with someone: clear only
        // the slots still in use.
        for index in parameters.indices where holds(index) {
            ArenaKernels.zero(gradients, from: entries[index].offset, count: entries[index].count)
        }
    }

    /// The whole gradient buffer as one 1-D tensor (a copy: later steps do not change it).
    public var gradientBuffer: Tensor { Tensor(shape: [count], viewing: gradients, at: 0).ownedCopy() }

    /// The whole value buffer as one 1-D tensor (a copy: later steps do not change it).
    public var valueBuffer: Tensor { Tensor(shape: [count], viewing: values, at: 0).ownedCopy() }

    /// Consecutive groups of entries of at most `maximumBytes` of gradients each (an entry larger
    /// than that is a bucket of its own), last entries first — the order backward produces
    /// gradients in, as PyTorch's DistributedDataParallel buckets them, which also caps the first
    /// bucket lower (`firstBucketBytes`, PyTorch's 1 MiB) so its reduction can start early. Each
    /// bucket is a range of entry indices; its scalars run from the first entry's offset to the
    /// last one's end.
    public func buckets(maximumBytes: Int = 25 << 20, firstBucketBytes: Int? = nil) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var end = entries.count, bytes = 0
        for index in entries.indices.reversed() {
            let size = entries[index].count * MemoryLayout<Float>.stride
            let limit = result.isEmpty ? firstBucketBytes ?? maximumBytes : maximumBytes
            if bytes > 0 && bytes + size > limit {
                result.append((index + 1)..<end)
                end = index + 1
                bytes = 0
            }
            bytes += size
        }
        if end > 0 { result.append(0..<end) }
        return result
    }
}

/// Where an arena keeps one parameter's gradient. The view object lives here while the
/// parameter has no gradient and in its node's `gradient` while it has one, so any other holder
/// shows up as a second reference when the arena is about to write.
final class ArenaGradientSlot {
    let gradients: TensorStorage
    let offset: Int
    let shape: [Int]
    private var spare: TensorStorage?

    init(gradients: TensorStorage, offset: Int, shape: [Int]) {
        self.gradients = gradients
        self.offset = offset
        self.shape = shape
    }

    /// The slot as a tensor that nothing else holds, for a first write.
    func takeView() -> Tensor {
        var view = spare.map { Tensor(shape: shape, storage: $0) } ?? Tensor(shape: shape, viewing: gradients, at: offset)
        spare = nil
        view.makeExclusiveView()
        return view
    }

    /// Keeps the view of a gradient that was cleared.
    func giveBack(_ gradient: Tensor) {
        if gradient.isView(of: gradients, at: offset) { spare = gradient.storage }
    }

    /// Detaches the spare view from the arena if anything outside still holds it (before a fill).
    func releaseShared() {
        guard spare != nil, !isKnownUniquelyReferenced(&spare) else { return }
        spare?.detachFromOwner()
        spare = nil
    }
}
