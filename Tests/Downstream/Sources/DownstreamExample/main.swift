// The README's example, compiled and run by `make test` against Dendrite as a dependency.
import Dendrite

var generator = RandomGenerator(seed: 0)
let x = Tensor.normal([4, 3], generator: &generator)          // 4 samples, 3 features
let w = try Tensor(shape: [3, 2], scalars: [1, 0, 0, 1, 1, 1])
let y = try x.matmul(w) + Tensor([0.5, -0.5])                  // broadcasting bias
print("y =", y)
print("row sums:", try y.sum(alongAxes: 1))

let image = Tensor.normal([1, 1, 5, 5], generator: &generator)
let geometry = try Conv2DGeometry(batch: 1, inputChannels: 1, inputHeight: 5, inputWidth: 5,
                                  outputChannels: 2, kernelSize: (3, 3), padding: (1, 1))
let kernel = Tensor.normal(geometry.weightShape, generator: &generator)
print("conv output shape:", try conv2dForward(input: image, weight: kernel, bias: nil, geometry: geometry).shape)

let a = try Tensor(shape: [2, 2], scalars: [4, 1, 1, 3])
print("solve:", try LinearAlgebra.solve(a, Tensor([1, 2])))
print(Dendrite.backendDescription)
try writingALayerGuide()
