/// Watches the input of the layer it wraps while calibration batches run through the model.
final class CalibrationProbe: Module, UnaryLayer {
    let wrapped: any UnaryLayer
    let observer: Observer

    init(_ wrapped: any UnaryLayer, observer: Observer) {
        self.wrapped = wrapped
        self.observer = observer
        super.init()
    }

    func forward(_ input: Tensor) throws -> Tensor {
        observer.observe(input)
        return try wrapped(input)
    }

    func outputShape(forInput shape: [Int]) throws -> [Int] { try wrapped.outputShape(forInput: shape) }
}

extension Quantization {
    /// The observer static quantization calibrates with.
    public enum ObserverKind: Sendable, Equatable {
        /// The extremes seen (``MinMaxObserver``).
        case minMax
        /// The error-minimizing range of a histogram of `bins` bins (``HistogramObserver``).
        case histogram(bins: Int)

        /// A histogram of 2048 bins, as PyTorch's default.
        public static let histogram = ObserverKind.histogram(bins: 2048)

        func make() throws -> Observer {
            switch self {
            case .minMax: return MinMaxObserver()
            case .histogram(let bins): return try HistogramObserver(bins: bins)
            }
        }
    }

    /// Static post-training quantization (PyTorch's `prepare` → calibrate → `convert`): every
    /// ``Linear`` and ``Conv2D`` (groups 1) under `model` gets an observer on its input, the
    /// `calibration` batches run through the model, and each layer becomes a
    /// ``QuantizedLinear`` or ``QuantizedConv2D`` whose input scale and zero point come from its
    /// observer. A ReLU right after a quantized convolution (with only folded-away `Identity`
    /// layers between, in a ``Sequential`` or a ``ReLUFusable`` block) runs inside it (``Module/fuseReLU()``). Fold batch norms first
    /// (``Module/foldBatchNorm()``) to quantize the convolutions with them.
    ///
    /// - Returns: the number of layers quantized.
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` in training mode,
    ///   without calibration batches, or when `model` itself is the only layer; errors of the
    ///   forward pass (a batch of the wrong shape).
    @discardableResult
    public static func quantizeStatic(_ model: Module & UnaryLayer, calibration: [Tensor], observer: ObserverKind = .histogram) throws -> Int {
        guard !model.isTraining else {
            throw DendriteError.invalidArgument(operation: "quantizeStatic", argument: model.typeName,
                                                reason: "is in training mode; call eval() first (calibration must see inference activations)")
        }
        guard !calibration.isEmpty else {
            throw DendriteError.invalidArgument(operation: "quantizeStatic", argument: "calibration", reason: "needs at least one batch")
        }
        let targets = try quantizableLayers(model)
        var probes: [(String, CalibrationProbe)] = []
        for (path, layer) in targets {
            let probe = CalibrationProbe(layer, observer: try observer.make())
            try model.replaceModule(at: path, with: probe)
            probes.append((path, probe))
        }
        do {
            try noGrad { for batch in calibration { _ = try model(batch) } }
        } catch {
            for (path, probe) in probes { try model.replaceModule(at: path, with: probe.wrapped as Module) }
            throw error
        }
        for (path, probe) in probes {
            try model.replaceModule(at: path, with: try quantized(probe.wrapped, input: try probe.observer.quantization()))
        }
        model.fuseReLU()
        return probes.count
    }

    /// The layout ``quantizeStatic(_:calibration:observer:)`` leaves, with placeholder input
    /// scales, for loading a saved statically quantized model into a freshly built float one.
    ///
    /// - Returns: the number of layers replaced.
    @discardableResult
    public static func convertStatic(_ model: Module) throws -> Int {
        let targets = try quantizableLayers(model)
        for (path, layer) in targets { try model.replaceModule(at: path, with: try quantized(layer, input: try .init(scale: 1, zeroPoint: 0))) }
        model.fuseReLU()
        return targets.count
    }

    private static func quantizableLayers(_ model: Module) throws -> [(String, any UnaryLayer)] {
        let targets = model.namedModules().compactMap { path, module -> (String, any UnaryLayer)? in
            if let conv = module as? Conv2D, conv.groups == 1 { return (path, conv) }
            if let linear = module as? Linear { return (path, linear) }
            return nil
        }
        if targets.contains(where: { $0.0.isEmpty }) {
            throw DendriteError.invalidArgument(operation: "quantizeStatic", argument: model.typeName,
                                                reason: "is itself the layer to quantize; put it in a Sequential")
        }
        return targets
    }

    private static func quantized(_ layer: any UnaryLayer, input: ActivationQuantization) throws -> Module {
        if let conv = layer as? Conv2D { return try QuantizedConv2D(conv, input: input) }
        return QuantizedLinear(layer as! Linear, input: input)
    }
}
