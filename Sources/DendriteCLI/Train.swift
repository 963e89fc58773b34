import ArgumentParser
import Dendrite
import Foundation

/// `dendrite train`: trains a model on an MNIST-format folder and writes a run folder.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model on MNIST-format IDX data (Fashion-MNIST by default).",
        discussion: """
        The defaults are the course's Keras example: Flatten → Dense 512 ReLU → Dense 10, \
        RMSprop lr 0.001, batch 128, 5 epochs. After every epoch the run folder (--out) holds \
        model.safetensors, model.json, optimizer.safetensors, history.csv, history.json and \
        curves.svg; at the end, test.json. --resume DIR continues an interrupted run.
        """
    )

    @Option(help: "Folder of MNIST-format IDX files (gzipped or not).")
    var data = FashionMNIST.defaultRoot

    @Option(help: "A preset (mlp, cnn) or a layer SPEC (see 'dendrite --help').")
    var model = "mlp"

    @Option(help: "Total epochs (with --resume: the epoch to reach).")
    var epochs = 5

    @Option(name: .customLong("batch-size"), help: "Examples per batch.")
    var batchSize = 128

    @Option(help: "sgd, momentum, rmsprop, adam, adamw or lbfgs.")
    var optimizer = "rmsprop"

    @Option(name: .customLong("lr"), help: "Learning rate (default: the optimizer's usual one).")
    var learningRate: Float?

    @Option(help: "none, step or cosine.")
    var schedule = "none"

    @Option(name: .customLong("weight-decay"), help: "L2 weight decay (decoupled for adamw).")
    var weightDecay: Float = 0

    @Option(help: "Insert dropout with this probability before the last dense layer.")
    var dropout: Float?

    @Option(help: "Early-stopping patience in epochs on validation loss (restores the best weights).")
    var patience: Int?

    @Option(name: .customLong("validation-split"), help: "Fraction of the training data held out for validation.")
    var validationSplit = 0.1

    @Option(help: "Use only the first N training examples (quick experiments).")
    var limit: Int?

    @Option(help: "Seed for weights, shuffling and dropout.")
    var seed: UInt64 = 0

    @Flag(name: .customLong("sync-batch-norm"),
          help: "Under mpirun: batch norm over every rank's batch (PyTorch's SyncBatchNorm) instead of each rank's own.")
    var syncBatchNorm = false

    @Option(help: "OpenBLAS threads (default: all cores; under mpirun: the cores divided among the host's ranks).")
    var threads: Int?

    @Option(help: "Output folder.")
    var out = "runs/latest"

    @Option(help: "Continue the run saved in this folder.")
    var resume: String?

    @Flag(help: "Print only the final result.")
    var quiet = false

    @Flag(name: .customLong("json-lines"), help: "Print one JSON object per epoch.")
    var jsonLines = false

    func run() throws {
        do { try TrainingRun(options: self).execute() } catch let error as DendriteError {
            throw ValidationError(error.description)
        }
    }
}
