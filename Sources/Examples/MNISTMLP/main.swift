// The course's Keras MNIST example, in Swift:
//   network = Sequential([Dense(512, relu, input_shape=(784,)), Dense(10, softmax)])
//   network.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
//   network.fit(train_images, train_labels, epochs=5, batch_size=128)
// Run: swift run -c release MNISTMLP [MNIST-FOLDER]   (default: Debian's Fashion-MNIST)
import Dendrite

let root = CommandLine.arguments.dropFirst().first ?? FashionMNIST.defaultRoot
let data = MNIST(root: root, package: root == FashionMNIST.defaultRoot ? "dataset-fashion-mnist" : nil)
let train = try data.load(.train)                       // images ÷ 255, [60000, 1, 28, 28]
let test = try data.load(.test)

var generator = RandomGenerator(seed: 0)
let network = try Sequential {
    Flatten()
    try Linear(784, 512, generator: &generator); ReLU()
    try Linear(512, 10, generator: &generator)              // softmax is inside the cross-entropy loss
}
print(try network.summary(input: [1, 28, 28]))

let optimizer = try RMSprop.keras(network.parameters, learningRate: 0.001)
try network.fit(train, epochs: 5, batchSize: 128, loss: .crossEntropy, optimizer: optimizer,
                metrics: [.accuracy], verbosity: .progressBar)

let results = try network.evaluate(test, loss: .crossEntropy)
print("test loss \(results["loss"]!) · test accuracy \(results["accuracy"]!)")
