import Foundation

/// Structured pruning that makes a model smaller: whole output channels of a convolution (or
/// output features of a linear layer) are removed, with the matching slices of the batch norm
/// after it and the input slices of the layer that consumes them, so every tensor on the way
/// shrinks and inference does less work. (``Pruning/lnStructured(_:name:amount:norm:dimension:)``
/// only zeroes channels; the layers keep their size.)
///
/// It works inside a ``Sequential``: a producer (`Conv2D` or `Linear`, `groups` 1) is shrunk
/// when the layers between it and its consumer act per channel — batch norm (sliced), the
/// elementwise activations, pooling, dropout, `Identity`, and `Flatten` (the consumer's features
/// `c·H·W + s` of a kept channel `c` are kept). The last producer (the model's output) and
/// producers followed by anything else (a residual block, softmax, a reshape) are left alone.
/// Fine-tune afterwards: the removed channels' contributions are gone.
public enum ChannelPruning {
    /// How channels are ranked; the lowest go.
    public enum Importance: Sendable, Equatable {
        /// The Ln norm of each channel's weights (2: L2, as ``Pruning/lnStructured(_:name:amount:norm:dimension:)``).
        case weightNorm(Float)
        /// `|γ|` of the batch norm that follows (network slimming, Liu et al. 2017): a batch norm
        /// rescales its channels, so their weight norms say little. Producers with no batch norm
        /// after them fall back to the L2 weight norm.
        case batchNormScale
    }

    /// One shrunk layer: its index in the ``Sequential`` and its channel counts.
    public struct Change: Sendable, Equatable, CustomStringConvertible {
        /// Index of the producer in the model's layers.
        public let layer: Int
        /// Output channels before.
        public let before: Int
        /// Output channels after.
        public let after: Int

        public var description: String { "layer \(layer): \(before) → \(after) channels" }
    }

    /// Removes the `amount` least important output channels of every prunable producer in
    /// `model` (each layer its own share, as PyTorch's per-layer `ln_structured`), which takes
    /// per-sample inputs of `inputShape`. Layers are shrunk in order, so a layer's channels are
    /// ranked by what is left of its filters once the channels feeding it are gone.
    ///
    /// - Returns: the layers shrunk, in order.
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when an amount
    ///   would remove every channel of a layer, or a layer to shrink is pruned with a mask
    ///   (``Pruning/remove(_:name:)`` first); shape errors when `inputShape` does not fit.
    @discardableResult
    public static func prune(_ model: Sequential, inputShape: [Int], amount: Pruning.Amount,
                             importance: Importance = .weightNorm(2)) throws -> [Change] {
        var changes: [Change] = []
        for chain in try chains(in: model, inputShape: inputShape) {
            let producer = model.layers[chain.producer] as! Module
            let count = channels(of: producer)
            let remove = try amount.units(of: count, "ChannelPruning.prune")
            guard remove < count else {
                throw DendriteError.invalidArgument(operation: "ChannelPruning.prune", argument: "amount \(amount)",
                                                    reason: "would remove all \(count) channels of layer \(chain.producer) (\(producer.typeName))")
            }
            let scores = try importanceScores(producer, norm: chain.norm.map { model.layers[$0] as! BatchNorm }, importance)
            // Keep the largest scores (ties: the lower index), in their original order.
            let kept = scores.indices.sorted { (scores[$0], $1) > (scores[$1], $0) }.prefix(count - remove).sorted()
            try shrink(model, chain, keeping: Array(kept))
            changes.append(Change(layer: chain.producer, before: count, after: kept.count))
        }
        return changes
    }

    /// Shrinks the producers at the given layer indices to their first `channels[index]` output
    /// channels — the architecture of a model pruned by ``prune(_:inputShape:amount:importance:)``,
    /// to load its saved weights into a freshly built model.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for an index that
    ///   is not a prunable producer or a count outside 1…its channels.
    public static func resize(_ model: Sequential, inputShape: [Int], channels target: [Int: Int]) throws {
        let chains = try chains(in: model, inputShape: inputShape)
        for (index, count) in target.sorted(by: { $0.key < $1.key }) {
            guard let chain = chains.first(where: { $0.producer == index }) else {
                throw DendriteError.invalidArgument(operation: "ChannelPruning.resize", argument: "layer \(index)",
                                                    reason: "is not a prunable producer (those are \(chains.map(\.producer)))")
            }
            let current = channels(of: model.layers[index] as! Module)
            guard (1...current).contains(count) else {
                throw DendriteError.invalidArgument(operation: "ChannelPruning.resize", argument: "layer \(index) channels \(count)",
                                                    reason: "must be in 1…\(current)")
            }
            try shrink(model, chain, keeping: Array(0..<count))
        }
    }

    /// A producer, the batch norm and `Flatten` between it and its consumer, and the consumer.
    struct Chain {
        let producer: Int
        let norm: Int?
        let consumer: Int
        /// Spatial size per channel where a `Flatten` lies between (the consumer's features per channel).
        let featuresPerChannel: Int
    }

    /// The prunable producer → consumer chains of `model`.
    static func chains(in model: Sequential, inputShape: [Int]) throws -> [Chain] {
        var shapes = [inputShape]
        for layer in model.layers { shapes.append(try layer.outputShape(forInput: shapes.last!)) }
        var result: [Chain] = []
        for (index, layer) in model.layers.enumerated() where isProducer(layer) {
            var norm: Int?, perChannel = 1, position = index + 1
            var consumer: Int?
            scan: while position < model.layers.count {
                let next = model.layers[position]
                switch next {
                case let batchNorm as BatchNorm where norm == nil && batchNorm.featureCount == channels(of: layer as! Module):
                    norm = position
                case is ReLU, is LeakyReLU, is ELU, is GELU, is Sigmoid, is Tanh, is Pool2D, is Dropout, is Identity:
                    break
                case is Flatten where perChannel == 1 && shapes[position].count >= 2:
                    perChannel = shapes[position].dropFirst().reduce(1, *)
                case let conv as Conv2D where conv.groups == 1 && perChannel == 1:
                    consumer = position
                    break scan
                case is Linear where shapes[position].count == 1:
                    consumer = position
                    break scan
                default:
                    break scan
                }
                position += 1
            }
            if let consumer { result.append(Chain(producer: index, norm: norm, consumer: consumer, featuresPerChannel: perChannel)) }
        }
        return result
    }

    private static func isProducer(_ layer: any UnaryLayer) -> Bool {
        if let conv = layer as? Conv2D { return conv.groups == 1 }
        return layer is Linear
    }

    private static func channels(of producer: Module) -> Int {
        (producer as? Conv2D)?.outputChannels ?? (producer as! Linear).outputFeatures
    }

    private static func importanceScores(_ producer: Module, norm: BatchNorm?, _ importance: Importance) throws -> [Double] {
        if importance == .batchNormScale, let gamma = norm?.weight {
            return gamma.value.scalars.map { Double(Swift.abs($0)) }
        }
        let p: Float
        if case .weightNorm(let value) = importance { p = value } else { p = 2 }
        let weight = (producer as? Conv2D)?.weight ?? (producer as! Linear).weight
        let count = channels(of: producer), inner = weight.value.count / count
        let values = weight.value.scalars
        return (0..<count).map { channel in
            let slice = values[(channel * inner)..<((channel + 1) * inner)]
            if p.isInfinite { return slice.reduce(0) { Swift.max($0, Double(Swift.abs($1))) } }
            return slice.reduce(0) { $0 + Foundation.pow(Double(Swift.abs($1)), Double(p)) }
        }
    }

    /// Replaces the chain's producer, batch norm and consumer by copies restricted to `kept` channels.
    private static func shrink(_ model: Sequential, _ chain: Chain, keeping kept: [Int]) throws {
        let producer = model.layers[chain.producer] as! Module, consumer = model.layers[chain.consumer] as! Module
        for (module, position) in [(producer, chain.producer), (consumer, chain.consumer)] {
            guard module.localParameters.allSatisfy({ $0.1.pruningMask == nil }) else {
                throw DendriteError.invalidArgument(operation: "ChannelPruning", argument: "layer \(position) (\(module.typeName))",
                                                    reason: "is pruned with a mask; call Pruning.remove first")
            }
        }
        func place(_ layer: any UnaryLayer, at index: Int) throws {
            if !(model.layers[index] as! Module).isTraining { (layer as! Module).eval() }
            try model.replaceLayer(at: index, with: layer)
        }
        try place(try LayerSlicing.outputs(of: producer, keeping: kept), at: chain.producer)
        if let normIndex = chain.norm {
            try place(try LayerSlicing.features(of: model.layers[normIndex] as! BatchNorm, keeping: kept), at: normIndex)
        }
        let inputs = kept.flatMap { channel in (channel * chain.featuresPerChannel)..<((channel + 1) * chain.featuresPerChannel) }
        try place(try LayerSlicing.inputs(of: consumer, keeping: inputs), at: chain.consumer)
    }
}
