// Code shown in README.md and Docs/GettingStarted.md, compiled here against Dendrite as a
// dependency (so the documentation cannot drift from the API). Not run: it trains for minutes.
import Dendrite
import DendriteDistributed

/// README.md, "Training in 20 lines".
func readmeTrainingSnippet() throws {
    let data = FashionMNIST.dataset()
    let (train, validation) = try data.load(.train).split(validationFraction: 0.1)
    var generator = RandomGenerator(seed: 0)
    let model = try Sequential {
        Flatten()
        try Linear(784, 512, generator: &generator); ReLU()
        try Linear(512, 10, generator: &generator)
    }
    let history = try model.fit(train, validation: validation, epochs: 5, batchSize: 128,
                                loss: .crossEntropy, optimizer: try RMSprop.keras(model.parameters),
                                callbacks: [EarlyStopping(patience: 2, restoreBestWeights: true)])
    print(try model.evaluate(try data.load(.test), loss: .crossEntropy))
    try model.save(to: "fashion.safetensors")
    _ = history
}

/// Docs/GettingStarted.md, "Use the model from your own package".
func gettingStartedLoadSnippet() throws {
    var generator = RandomGenerator(seed: 0)
    let model = try Sequential {
        Flatten()
        try Linear(784, 512, generator: &generator); ReLU()
        try Linear(512, 10, generator: &generator)
    }
    try model.load(from: "runs/fashion-mlp/model.safetensors")   // strict: names and shapes must match
    model.eval()
    let test = try FashionMNIST.dataset().load(.test, limit: 5)
    let classes = try model.predict(test.inputs).argmax(alongAxis: 1)
    print(classes.map { FashionMNIST.classNames[$0] })
}

/// Docs/Training.md, the explicit loop with a DataLoader.
func trainingGuideLoopSnippet(model: any UnaryLayer, train: TensorDataset) throws {
    let optimizer = try Adam(model.parameters, learningRate: 0.01)
    let loader = try DataLoader(train, batchSize: 128, shuffle: true, seed: 0)
    for epoch in 0..<5 {
        try loader.forEachBatch(epoch: epoch) { _, images, labels in
            model.zeroGrad()
            let loss = try crossEntropy(logits: try model(images), labels: labels)
            try loss.backward()
            try optimizer.step()
        }
    }
}

/// Docs/Training.md, L-BFGS with the strong-Wolfe line search, and a schedule (throwing init).
func trainingGuideLBFGSSnippet(model: any UnaryLayer, inputs: Tensor, targets: Tensor, epochs: Int) throws -> Float {
    let optimizer = try LBFGS(model.parameters, maxIterations: 20, lineSearch: .strongWolfe)
    let loss = try optimizer.step {
        optimizer.zeroGrad()
        let loss = try StandardLoss.meanSquaredError(try model(inputs), targets)
        try loss.backward()
        return loss
    }
    let callbacks: [TrainingCallback] = [LearningRateScheduler(try CosineDecay(total: epochs, minimum: 1e-5))]
    _ = callbacks
    return loss
}

/// Docs/Transformer.md, sections 1–4.
func transformerGuideSnippets(nextTokens: Tensor) throws {
    var generator = RandomGenerator(seed: 0)
    let tokens = try Tensor(shape: [2, 5], scalars: [3, 1, 4, 1, 5, 9, 2, 6, 5, 3])   // [B, T] indices
    let embed = Embedding(10, 16, generator: &generator)            // weight [V, E] = [10, 16]
    var x = try embed(tokens)                                        // [B, T, E] = [2, 5, 16]
    x = try SinusoidalPositionalEncoding(maximumLength: 64, embedDimension: 16)(x)   // + PE[0..<T], [2, 5, 16]

    let attention = try MultiHeadAttention(embedDimension: 16, headCount: 4, isCausal: true, generator: &generator)
    let attended = try attention(x)                                  // [2, 5, 16]

    let block = try TransformerEncoderBlock(embedDimension: 16, headCount: 4, feedForward: 64,
                                            gelu: true, normFirst: false, generator: &generator)
    let y = try block(x)                                             // [2, 5, 16]
    let encoded = y
    let blocks = try ModuleList([try TransformerDecoderBlock(embedDimension: 16, headCount: 4, feedForward: 64,
                                                             generator: &generator)])
    var decoded = x
    for block in blocks { decoded = try block(decoded, memory: encoded) }

    let configuration = GPTConfiguration(vocabularySize: 86, contextLength: 64, embedDimension: 128,
                                         headCount: 4, layerCount: 2)
    let model = try GPT(configuration, generator: &generator)        // tied output head by default
    let logits = try model(tokens)                                   // [B, T, V]
    let loss = try model.loss(inputs: tokens, targets: nextTokens)   // nats per token
    let text = try model.generate(prompt: [3, 1], count: 100, temperature: 0.8, topK: 10, generator: &generator)
    print(attended.shape, y.shape, decoded.shape, logits.shape, loss, text.count)
}

/// Docs/Models.md.
func modelsGuideSnippet(images: Tensor) throws {
    let net = try Models.resnet18(classCount: 1000)                       // random initialization
    let pretrained = try Models.resnet18(weights: "resnet18.safetensors")  // strict load, no random init
    let any = try Models.named("vgg16_bn", weights: "vgg16_bn.safetensors")
    pretrained.eval()
    let logits = try pretrained(images)                                     // images: [N, 3, 224, 224]
    print(net.parameterCount, any.parameterCount, logits.shape)
}

/// Docs/TransferLearning.md, sections 1–4 and 6.
func transferLearningSnippets(train: TensorDataset, vgg: ConvolutionalClassifier, teacher: any UnaryLayer, student: any UnaryLayer,
                              loader: DataLoader, epochs: Int) throws {
    let model = try Models.resnet18(classCount: 10)
    let report = try model.load(from: "resnet18.safetensors", strict: false)
    print(report)
    var generator = RandomGenerator(seed: 0)
    model.fc = try Linear(512, 10, generator: &generator)
    try model.replaceModule(at: "layer4.1.bn2", with: BatchNorm2D(512))
    try vgg.classifier.replaceLayer(at: 6, with: Linear(4096, 10, generator: &generator))
    model.setTrainable(false); model.fc.setTrainable(true)
    model.layer1.setTrainable(false)
    _ = model.freeze(matching: "features.")
    model.layer1.eval()
    let optimizer = try Adam(groups: [
        ParameterGroup(model.layer4.parameters, learningRate: 1e-4),
        ParameterGroup(model.fc.parameters, learningRate: 1e-3, weightDecay: 1e-4),
    ])
    try model.fit(train, epochs: 5, batchSize: 32, loss: .crossEntropy, optimizer: optimizer)

    let distillation = try DistillationLoss(temperature: 4, alpha: 0.7)
    teacher.eval()
    try student.fit(train, epochs: epochs, batchSize: 128, loss: .crossEntropy,
                    optimizer: try Adam(student.parameters, learningRate: 1e-3)) { images, labels in
        let soft = try noGrad { try teacher(images) }
        let logits = try student(images)
        return (try distillation(studentLogits: logits, teacherLogits: soft, labels: labels), logits)
    }
}

/// Docs/Distributed.md, "From Swift" (compiled, not run: it needs mpirun and trains).
func distributedGuideSnippet() throws {
    let ddp = try DistributedDataParallel()          // MPI_COMM_WORLD under mpirun
    var generator = RandomGenerator(seed: 0)         // the same seed everywhere, though rank 0's weights are broadcast
    let model = try ModelSpec("cnn", inputShape: [1, 28, 28]).build(generator: &generator)
    model.synchronizeBatchNorm(over: ddp)            // optional: SyncBatchNorm
    let optimizer = try SGD(model.parameters, learningRate: 0.01 * Float(ddp.size), momentum: 0.9)
    let data = try FashionMNIST.dataset().load(.train)
    let history = try model.fit(data, epochs: 5, batchSize: 64, loss: .crossEntropy,
                                optimizer: optimizer, distributed: ddp)
    if ddp.rank == 0 { try model.save(to: "model.safetensors") }
    _ = history
}

/// Docs/ScikitLearn.md, the opening example (compiled, not run).
func scikitLearnGuideSnippet() throws {
    let data = try CSV.read("Datasets/digits.csv")                     // 1,797 × 64, labels 0…9
    var generator = RandomGenerator(seed: 0)
    let split = try trainTestSplit(count: data.count, testFraction: 0.25, stratifyBy: data.targets.scalars,
                                   generator: &generator)
    var scaler = StandardScaler()
    let xTrain = try scaler.fitTransform(data.inputs.gatheringRows(split.train))
    let xTest = try scaler.transform(data.inputs.gatheringRows(split.test))
    let (yTrain, yTest) = (data.targets.gatheringRows(split.train), data.targets.gatheringRows(split.test))

    var settings = MLPHyperparameters()      // scikit-learn's defaults: (100,), relu, adam, alpha 1e-4, …
    settings.hiddenLayerSizes = [64, 32]
    settings.alpha = 1e-3
    settings.solver = .lbfgs
    settings.randomState = 1
    let classifier = MLPClassifier(settings)
    try classifier.fit(xTrain, yTrain)
    print("test accuracy", try classifier.score(xTest, yTest), "after", classifier.iterationCount, "iterations")

    let logistic = try LogisticRegression(C: 1)
    try logistic.fit(xTrain, yTrain)
    print("logistic regression", try logistic.score(xTest, yTest))
}

/// Docs/Compression.md (compiled, not run).
func compressionGuideSnippets() throws {
    var generator = RandomGenerator(seed: 0)
    let model = try ModelSpec("mlp", inputShape: [1, 28, 28]).build(generator: &generator)
    let linears = model.namedModules().compactMap { $0.1 as? Linear }

    try Pruning.l1Unstructured(linears[0], amount: .fraction(0.3))        // 30 % smallest |w| of one layer
    try Pruning.globalUnstructured(linears.map { ($0, "weight") }, amount: .fraction(0.9))   // 90 % over both
    for entry in Pruning.sparsity(of: model) { print(entry.name, entry.zeros, "of", entry.count) }
    for linear in linears { try Pruning.remove(linear) }                   // make it permanent

    let resnet = try Models.resnet18(weights: "resnet18.safetensors")
    resnet.eval()
    let folded = try resnet.foldBatchNorm()     // 20: the stem and every block's convolutions
    _ = folded
}
