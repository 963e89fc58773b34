import Dendrite

/// The module tree's cost: `parameters` (walked every step by `fit` and the optimizers) on
/// ResNet-50, against `namedParameters()`, which also builds every `state_dict` name.
func runModuleSuite(quick: Bool) throws -> [Row] {
    let model = try Models.resnet50()
    var count = 0
    let walk = { count += model.parameters.count }
    let named = { count += model.namedParameters().count }
    let fast = measure(warmup: 3, runs: quick ? 5 : 15, inner: calibrate(target: 0.02, walk), walk)
    let slow = measure(warmup: 3, runs: quick ? 5 : 15, inner: calibrate(target: 0.02, named), named)
    precondition(count > 0)
    return [Row(suite: "module", workload: "ResNet-50 parameters (161 tensors)", unit: "µs", value: fast.median * 1e6,
                medianSeconds: fast.median, minSeconds: fast.minimum, maxSeconds: fast.maximum, noisy: fast.isNoisy,
                baseline: "namedParameters()", baselineValue: slow.median * 1e6, ratio: slow.median / fast.median)]
}
