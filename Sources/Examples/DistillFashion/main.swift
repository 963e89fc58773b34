// Knowledge distillation on Fashion-MNIST: a CNN teacher teaches a small MLP student; the same
// student trained on the labels alone, with the same budget, is the comparison.
// Run: swift run -c release DistillFashion
import Dendrite

let data = FashionMNIST.dataset()
let train = try data.load(.train), test = try data.load(.test)
var generator = RandomGenerator(seed: 0)

// The teacher: the `cnn` preset, two epochs.
let teacher = try ModelSpec("cnn", inputShape: [1, 28, 28]).build(generator: &generator)
try teacher.fit(train, epochs: 2, batchSize: 64, loss: .crossEntropy,
                optimizer: try Adam(teacher.parameters, learningRate: 2e-3), verbosity: .progressBar)
teacher.eval()
print("teacher test accuracy: \(try teacher.evaluate(test, loss: .crossEntropy)["accuracy"]!)")

let studentSpec = "flatten,dense:32,relu,dense:10"
let budget = 2   // epochs for each student

// A student trained with the distillation loss (soft targets from the teacher, T = 2, α = 0.5):
// `fit` with its step replaced — the batch's loss also runs the teacher.
var studentGenerator = RandomGenerator(seed: 7)
let distilled = try ModelSpec(studentSpec, inputShape: [1, 28, 28]).build(generator: &studentGenerator)
let distillation = try DistillationLoss(temperature: 2, alpha: 0.5)
try distilled.fit(train, epochs: budget, batchSize: 128, loss: .crossEntropy,
                  optimizer: try Adam(distilled.parameters, learningRate: 1e-3), seed: 1) { images, labels in
    let soft = try noGrad { try teacher(images) }
    let logits = try distilled(images)
    return (try distillation(studentLogits: logits, teacherLogits: soft, labels: labels), logits)
}

// The same student, same initialization and budget, trained on the labels alone.
studentGenerator = RandomGenerator(seed: 7)
let plain = try ModelSpec(studentSpec, inputShape: [1, 28, 28]).build(generator: &studentGenerator)
try plain.fit(train, epochs: budget, batchSize: 128, loss: .crossEntropy, optimizer: try Adam(plain.parameters, learningRate: 1e-3),
              seed: 1)

let withTeacher = try distilled.evaluate(test, loss: .crossEntropy)["accuracy"]!
let alone = try plain.evaluate(test, loss: .crossEntropy)["accuracy"]!
print("student (\(distilled.parameterCount) parameters) test accuracy: with distillation \(withTeacher) · without \(alone)")
