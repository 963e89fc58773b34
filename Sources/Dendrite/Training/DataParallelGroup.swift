/// The processes of one data-parallel training run, as `fit` uses them: each process holds a
/// replica of the model, trains on its shard of every batch, and the replicas stay identical
/// because every gradient is averaged over the processes before each step (each process's loss
/// gradient divided by `size`, then summed over the processes).
///
/// Dendrite itself has no transport; `DendriteDistributed`'s `DistributedDataParallel` implements
/// this over MPI. Every process must call the same methods in the same order with the same
/// sizes (they are collective operations).
public protocol DataParallelGroup: AnyObject {
    /// This process's index, `0..<size`; rank 0 reports and writes files.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// The element-wise sum of `values` over the processes, on every process.
    func sum(_ values: [Double]) throws -> [Double]
    /// Process `root`'s `values` (the same count on every process), on every process.
    func broadcast(_ values: [Float], root: Int) throws -> [Float]
    /// Called by `fit` during each backward pass as soon as `parameter`'s gradient is final (no
    /// remaining operation adds to it), in the same order on every process: the moment to start
    /// reducing it while backward goes on. Optional (the default does nothing).
    func gradientIsFinal(_ parameter: Parameter, of optimizer: Optimizer) throws
    /// Replaces every gradient of `optimizer`'s parameters by its sum over the processes. `fit`
    /// calls it after each backward pass, before clipping and the step, having seeded that pass
    /// with `1/size` instead of 1 — so the sum is the mean, with no pass of its own to divide.
    func sumGradients(of optimizer: Optimizer) throws
    /// Ends every process of the run after `error` on this one (a collective operation would
    /// otherwise wait for this process forever).
    func abort(after error: Error) -> Never
}

extension DataParallelGroup {
    public func gradientIsFinal(_ parameter: Parameter, of optimizer: Optimizer) throws {}

    /// Makes every process's `module` rank 0's: its parameters and buffers (batch-norm statistics)
    /// from rank 0's `stateDict()`, sent as one message. Differently seeded replicas are
    /// identical afterwards.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when the replicas'
    ///   state dicts differ in size (not the same architecture), and the transport's errors.
    public func broadcastState(of module: Module) throws {
        let state = module.stateDict()
        let local = state.flatMap { $0.1.scalars }
        let sizes = try sum([Double(local.count), Double(local.count * local.count)])
        // Σn = size·n and Σn² = size·n² hold together only when every n is the same.
        guard sizes[0] == Double(size * local.count), sizes[1] == Double(size * local.count * local.count) else {
            throw DendriteError.invalidArgument(operation: "broadcastState", argument: "\(module.typeName)",
                                                reason: "the processes' models have different sizes (\(local.count) scalars on rank \(rank))")
        }
        let shared = try broadcast(local, root: 0)
        var offset = 0, loaded: [String: Tensor] = [:]
        for (name, tensor) in state {
            loaded[name] = try Tensor(shape: tensor.shape, scalars: Array(shared[offset..<(offset + tensor.count)]))
            offset += tensor.count
        }
        try module.load(stateDict: loaded)
    }
}
