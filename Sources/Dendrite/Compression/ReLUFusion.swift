/// A convolution that can apply the ReLU after it itself: ``Conv2D`` and ``QuantizedConv2D``.
protocol ReLUFusingLayer: AnyObject {
    var fusedReLU: Bool { get set }
}

extension Conv2D: ReLUFusingLayer {}
extension QuantizedConv2D: ReLUFusingLayer {}

/// A module whose forward pass applies a ReLU straight after some of its convolutions and their
/// batch norms, so ``Module/fuseReLU()`` may move the ReLU into the convolution once the batch
/// norm is folded away (``Module/foldBatchNorm()``). ``Sequential`` finds its triples itself.
public protocol ReLUFusable: Module {
    /// Child names `(convolution, batch norm)` whose output goes through a ReLU next; the
    /// module's forward skips that ReLU when the convolution's ``Conv2D/fusedReLU`` is set.
    var reluPairs: [(convolution: String, norm: String)] { get }
}

extension BasicBlock: ReLUFusable {
    public var reluPairs: [(convolution: String, norm: String)] { [("conv1", "bn1")] }
}

extension Bottleneck: ReLUFusable {
    public var reluPairs: [(convolution: String, norm: String)] { [("conv1", "bn1"), ("conv2", "bn2")] }
}

extension ResNet: ReLUFusable {
    public var reluPairs: [(convolution: String, norm: String)] { [("conv1", "bn1")] }
}

extension BasicConv2d: ReLUFusable {
    public var reluPairs: [(convolution: String, norm: String)] { [("conv", "bn")] }
}

extension Module {
    /// Moves each ReLU that directly follows a convolution (float or int8) into it
    /// (``Conv2D/fusedReLU``, ``QuantizedConv2D/fusedReLU``): in
    /// inference one kernel then computes convolution, bias and ReLU, applying the ReLU to each
    /// image's output while it is still in cache instead of in a pass of its own. A batch norm
    /// between them must be folded first (``foldBatchNorm()``): only an `Identity` may separate
    /// the two. The model computes the same function.
    ///
    /// - Returns: the number of ReLUs fused.
    @discardableResult
    public func fuseReLU() -> Int {
        var fused = 0
        for (_, child) in namedChildren { fused += child.fuseReLU() }
        if let sequential = self as? Sequential {
            for (index, layer) in sequential.layers.enumerated() {
                guard let conv = layer as? ReLUFusingLayer, !conv.fusedReLU,
                      let next = sequential.layers[(index + 1)...].firstIndex(where: { !($0 is Identity) }),
                      sequential.layers[next] is ReLU else { continue }
                conv.fusedReLU = true
                try? sequential.replaceLayer(at: next, with: Identity())   // the index exists
                fused += 1
            }
        } else if let fusable = self as? ReLUFusable {
            let children = Dictionary(namedChildren, uniquingKeysWith: { first, _ in first })
            for (convolution, norm) in fusable.reluPairs {
                guard let conv = children[convolution] as? ReLUFusingLayer, !conv.fusedReLU, children[norm] is Identity else { continue }
                conv.fusedReLU = true
                fused += 1
            }
        }
        return fused
    }

    /// `relu(x)`, unless `producer` is a convolution that applied it already (``Conv2D/fusedReLU``).
    func reluUnlessFused(_ x: Tensor, after producer: any UnaryLayer, relu: any UnaryLayer) throws -> Tensor {
        (producer as? ReLUFusingLayer)?.fusedReLU == true ? x : try relu(x)
    }
}
