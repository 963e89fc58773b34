// Transfer learning on Fashion-MNIST: train the `cnn` preset on classes 0–4, then reuse its frozen
// convolutional features for classes 5–9 with only 500 labelled images, and compare with the same
// network trained from scratch on those 500 images.
// Run: swift run -c release TransferFashion
import Dendrite

let data = FashionMNIST.dataset()
let train = try data.load(.train), test = try data.load(.test)

/// The examples whose label is in `classes`, relabelled from 0, at most `limit` of them.
func subset(_ dataset: TensorDataset, classes: Range<Int>, limit: Int = .max) throws -> TensorDataset {
    let indices = dataset.targets.scalars.enumerated().filter { classes.contains(Int($0.element)) }.map(\.offset).prefix(limit)
    let picked = try dataset.subset(Array(indices))
    return try TensorDataset(inputs: picked.inputs, targets: picked.targets - Float(classes.lowerBound))
}

let spec = "conv:16:3x3:p1,batchnorm,relu,maxpool:2,conv:32:3x3:p1,batchnorm,relu,maxpool:2,flatten,dense:128,relu,dense:5"
let source = try subset(train, classes: 0..<5, limit: 15_000)
let target = try subset(train, classes: 5..<10, limit: 500)
let targetTest = try subset(test, classes: 5..<10)

// 1. Pretrain on classes 0–4.
var generator = RandomGenerator(seed: 0)
let pretrained = try ModelSpec(spec, inputShape: [1, 28, 28]).build(generator: &generator)
try pretrained.fit(source, epochs: 2, batchSize: 64, loss: .crossEntropy,
                   optimizer: try Adam(pretrained.parameters, learningRate: 2e-3), verbosity: .progressBar)

// 2. Freeze the convolutional features (layers 0–7), replace the head, fine-tune on 500 images:
//    the new head learns fast, the dense layer before it slowly (parameter groups).
for layer in pretrained.layers[0..<8] { layer.setTrainable(false) }
try pretrained.replaceLayer(at: 11, with: Linear(128, 5, generator: &generator))
let optimizer = try Adam(groups: [ParameterGroup(pretrained.layers[9].parameters, learningRate: 2e-4),
                                  ParameterGroup(pretrained.layers[11].parameters, learningRate: 2e-3)])
try pretrained.fit(target, epochs: 15, batchSize: 32, loss: .crossEntropy, optimizer: optimizer)
let transferred = try pretrained.evaluate(targetTest, loss: .crossEntropy)["accuracy"]!

// 3. The same network from scratch on the same 500 images and budget.
let scratch = try ModelSpec(spec, inputShape: [1, 28, 28]).build(generator: &generator)
try scratch.fit(target, epochs: 15, batchSize: 32, loss: .crossEntropy,
                optimizer: try Adam(scratch.parameters, learningRate: 2e-3))
let fromScratch = try scratch.evaluate(targetTest, loss: .crossEntropy)["accuracy"]!

print("classes 5–9 with 500 labelled images: transferred features \(transferred) · from scratch \(fromScratch) (\(targetTest.count) test images)")
