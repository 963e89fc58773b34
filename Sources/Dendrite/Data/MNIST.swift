import Foundation

/// An MNIST-format data set folder: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
/// `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each optionally `.gz` — the original
/// MNIST, Fashion-MNIST, KMNIST, EMNIST…
///
/// Images become `[N, 1, H, W]` scaled to `[0, 1]` (÷255); labels become class indices stored as
/// `Float` in `[N]`.
public struct MNIST {
    /// Which half of the data set.
    public enum Split: String, Sendable {
        /// `train-*` files.
        case train
        /// `t10k-*` files.
        case test = "t10k"
    }

    /// The folder holding the IDX files.
    public let root: String
    /// Debian package that installs this data set, named in missing-file errors.
    public let package: String?

    /// Uses the IDX files in `root`.
    public init(root: String, package: String? = nil) {
        self.root = root
        self.package = package
    }

    /// The path of a split's images or labels, preferring the uncompressed file when both exist.
    public func path(_ split: Split, labels: Bool) throws -> String {
        let base = (root as NSString).appendingPathComponent("\(split.rawValue)-\(labels ? "labels-idx1" : "images-idx3")-ubyte")
        for candidate in [base, base + ".gz"] where FileManager.default.fileExists(atPath: candidate) { return candidate }
        let hint = package.map { " (install it with: sudo apt-get install \($0))" } ?? ""
        throw DendriteError.invalidFile(path: base + "[.gz]", offset: nil, reason: "not found\(hint)")
    }

    /// Loads a split, optionally only its first `limit` examples.
    ///
    /// - Throws: ``DendriteError/invalidFile(path:offset:reason:)`` naming the file at fault,
    ///   including a label count that differs from the image count.
    public func load(_ split: Split, limit: Int? = nil) throws -> TensorDataset {
        let imagePath = try path(split, labels: false), labelPath = try path(split, labels: true)
        let images = try IDX.read(imagePath, rank: 3)
        let labels = try IDX.read(labelPath, rank: 1)
        guard images.shape[0] == labels.shape[0] else {
            throw DendriteError.invalidFile(path: labelPath, offset: 4,
                                            reason: "\(labels.shape[0]) labels for \(images.shape[0]) images in \(imagePath)")
        }
        let count = Swift.min(images.shape[0], limit ?? .max)
        let (height, width) = (images.shape[1], images.shape[2])
        let pixels = images.bytes.prefix(count * height * width).map { Float($0) / 255 }
        let targets = labels.bytes.prefix(count).map(Float.init)
        return try TensorDataset(inputs: Tensor(shape: [count, 1, height, width], scalars: pixels),
                                 targets: Tensor(shape: [count], scalars: targets))
    }

    /// Number of classes seen in a label file (largest label + 1).
    public func classCount(_ split: Split = .train) throws -> Int {
        Int((try IDX.read(path(split, labels: true), rank: 1).bytes.max() ?? 0)) + 1
    }
}

/// Fashion-MNIST as installed by Debian's `dataset-fashion-mnist` package.
public enum FashionMNIST {
    /// Where Debian installs it.
    public static let defaultRoot = "/usr/share/datasets/fashion-mnist"
    /// The ten class names, in label order.
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                                    "Bag", "Ankle boot"]

    /// The data set folder (default: the Debian path).
    public static func dataset(root: String = defaultRoot) -> MNIST {
        MNIST(root: root, package: root == defaultRoot ? "dataset-fashion-mnist" : nil)
    }
}
