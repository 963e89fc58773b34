// Stepping over the parameter arena: runs of consecutive parameters updated as one flat tensor.

extension Optimizer {
    /// Builds ``arena`` over the groups' trainable parameters (in group order) on first use.
    func prepareArena() {
        guard packsParameters, arena == nil else { return }
        var seen = Set<ObjectIdentifier>()
        let trainable = parameters.filter { $0.requiresGradient && seen.insert(ObjectIdentifier($0)).inserted }
        guard !trainable.isEmpty, let built = try? ParameterArena(trainable) else { return }
        arena = built
        for (index, parameter) in trainable.enumerated() { arenaIndex[ObjectIdentifier(parameter)] = index }
    }

    /// The longest run of group `group`'s parameters from `start` that can be updated as one flat
    /// tensor: consecutive arena slots, all trainable with a gradient in the arena, and the same
    /// state layout (the same elementwise keys, equal scalar state). Empty when the parameter at
    /// `start` does not qualify.
    func arenaRun(group: Int, from start: Int) -> Range<Int> {
        guard let arena else { return start..<start }
        let members = groups[group].parameters
        func entry(_ index: Int) -> Int? {
            let parameter = members[index]
            guard parameter.requiresGradient, let entry = arenaIndex[ObjectIdentifier(parameter)], arena.holds(entry),
                  arena.entries[entry].count > 1,
                  parameter.gradient?.isView(of: arena.gradients, at: arena.entries[entry].offset) == true else { return nil }
            return entry
        }
        guard let first = entry(start) else { return start..<start }
        normalizeState(group: group, index: start, entry: first)
        let layout = stateLayout(state[group][start])
        var end = start + 1
        while end < members.count, let next = entry(end), next == first + (end - start) {
            normalizeState(group: group, index: end, entry: next)
            guard stateLayout(state[group][end]) == layout else { break }
            end += 1
        }
        return start..<end
    }

    /// Elementwise state keys and scalar state values: parameters in one run must agree on them.
    private func stateLayout(_ entries: [String: Tensor]) -> [String: Float?] {
        entries.mapValues { $0.count == 1 ? $0.scalar : nil }
    }

    /// Moves a parameter's elementwise state into the arena-shaped state buffers.
    private func normalizeState(group: Int, index: Int, entry: Int) {
        guard let arena else { return }
        let slot = arena.entries[entry]
        for (key, value) in state[group][index] where value.count == slot.count && value.count > 1 {
            let buffer = stateBuffer(key, arena: arena)
            guard !value.isView(of: buffer, at: slot.offset) else { continue }
            var view = Tensor(shape: slot.shape, viewing: buffer, at: slot.offset)
            ArenaKernels.copy(value, into: &view)
            state[group][index][key] = view
        }
    }

    private func stateBuffer(_ key: String, arena: ParameterArena) -> TensorStorage {
        if let buffer = arenaState[key] { return buffer }
        let buffer = TensorStorage(count: arena.count)
        arenaState[key] = buffer
        return buffer
    }

    /// One ``update(_:gradient:state:group:)`` over the run's slice of the arena.
    func updateRun(group: Int, _ run: Range<Int>) throws {
        guard let arena else { return }
        let members = groups[group].parameters
        let entries = run.map { arena.entries[arenaIndex[ObjectIdentifier(members[$0])]!] }
        let start = entries[0].offset, count = entries.reduce(0) { $0 + $1.count }
        for index in run { members[index].prepareForArenaWrite() }
        var value = Tensor(shape: [count], viewing: arena.values, at: start)
        let gradient = Tensor(shape: [count], viewing: arena.gradients, at: start)
        var runState: [String: Tensor] = [:]
        for (key, entry) in state[group][run.lowerBound] {
            runState[key] = entry.count > 1 ? Tensor(shape: [count], viewing: stateBuffer(key, arena: arena), at: start) : entry
        }
        try update(&value, gradient: gradient, state: &runState, group: groups[group])
        if !value.isView(of: arena.values, at: start) {
            var target = Tensor(shape: [count], viewing: arena.values, at: start)
            ArenaKernels.copy(value, into: &target)
        }
        for (key, entry) in runState where entry.count == count && !entry.isView(of: stateBuffer(key, arena: arena), at: start) {
            var target = Tensor(shape: [count], viewing: stateBuffer(key, arena: arena), at: start)
            ArenaKernels.copy(entry, into: &target)
        }
        for (index, slot) in zip(run, entries) {
            state[group][index] = runState.reduce(into: [:]) { result, pair in
                result[pair.key] = pair.value.count == count
                    ? Tensor(shape: slot.shape, viewing: stateBuffer(pair.key, arena: arena), at: slot.offset) : pair.value
            }
        }
    }
}
