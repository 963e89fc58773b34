// The `cnn` preset — the course's exercise-5 network on 1×28×28 with batch normalization —
// trained on Fashion-MNIST with a validation split, early stopping and cosine decay.
// Run: swift run -c release FashionCNN [EPOCHS]
import Dendrite

let epochs = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 5
let data = FashionMNIST.dataset()
let (train, validation) = try data.load(.train).split(validationFraction: 1.0 / 12)
let test = try data.load(.test)

var generator = RandomGenerator(seed: 0)
let network = try ModelSpec("cnn", inputShape: [1, 28, 28]).build(generator: &generator)
print(try network.summary(input: [1, 28, 28]))

let optimizer = try Adam(network.parameters, learningRate: 0.002)
try network.fit(train, validation: validation, epochs: epochs, batchSize: 64, loss: .crossEntropy, optimizer: optimizer,
                callbacks: [LearningRateScheduler(CosineDecay(total: epochs)),
                            EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true)],
                verbosity: .progressBar)

let results = try network.evaluate(test, loss: .crossEntropy)
print("test loss \(results["loss"]!) · test accuracy \(results["accuracy"]!)")
