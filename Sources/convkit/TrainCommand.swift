import ArgumentParser
import ConvKitTraining
import ConvKitVision
import Foundation

/// Options shared by `train` and `eval`: which data, where, and how it is normalized.
struct DataOptions: ParsableArguments {
    @Option(help: "mnist, fashion-mnist, cifar10, cifar100, or folder (DATA_DIR/train/<class>/*.png|jpg and DATA_DIR/test/...).")
    var dataset = "mnist"

    @Option(help: "Resize images to this side (folder datasets: default 32; named datasets keep their size unless given).")
    var imageSize: Int?

    @Option(help: "For --dataset folder: 1 (gray) or 3 (RGB) channels.")
    var channels = 3

    @Option(help: "Folder with the dataset's files (default: the first of $CONVKIT_DATA/<name>, ./data/<name>, /usr/share/datasets/<name> that has them; `convkit data fetch <name>` downloads into the first).")
    var dataDir: String?

    @Option(help: "Examples per batch.")
    var batchSize = 64

    @Option(help: "Use only the first N training examples (quick runs).")
    var limitTrain: Int?

    @Option(help: "Use only the first N training examples of each class (low-data experiments).")
    var trainPerClass: Int?

    @Option(help: "Use only the first N test examples.")
    var limitTest: Int?

    /// A named dataset, or nil for an image folder.
    var name: DatasetName? {
        get throws {
            if dataset == "folder" { return nil }
            guard let name = DatasetName(rawValue: dataset) else {
                throw ValidationError("unknown dataset '\(dataset)'; known: "
                    + (DatasetName.allCases.map(\.rawValue) + ["folder"]).joined(separator: ", "))
            }
            return name
        }
    }

    func load(_ split: IDXDataset.Split) throws -> InMemoryImageDataset {
        var data: InMemoryImageDataset
        if let name = try name {
            data = try name.load(split: split, directory: dataDir.map { URL(fileURLWithPath: $0) })
        } else {
            guard let dataDir else { throw ValidationError("--dataset folder needs --data-dir with train/ and test/ inside") }
            let side = imageSize ?? 32
            data = try ImageFolderDataset.load(from: URL(fileURLWithPath: dataDir).appendingPathComponent(split.rawValue),
                                               size: (side, side), channels: channels)
        }
        if split == .train, let trainPerClass { data = try data.balancedSubset(perClass: trainPerClass) }
        if split == .train, let limitTrain { data = try data.prefix(limitTrain) }
        if split == .test, let limitTest { data = try data.prefix(limitTest) }
        return try imageSize.map { try data.resized(to: $0) } ?? data
    }

    /// What `convkit report` needs to load the same test split again: the folder (absolute)
    /// and the image size it was resized to (always recorded for image folders, with their channels).
    var recorded: [String: String] {
        var fields: [String: String] = [:]
        if let dataDir { fields["data_dir"] = URL(fileURLWithPath: dataDir).path }
        if let imageSize { fields["image_size"] = String(imageSize) }
        if dataset == "folder" { (fields["image_size"], fields["channels"]) = (String(imageSize ?? 32), String(channels)) }
        return fields
    }

    /// The usual per-channel statistics of each dataset's training images.
    var normalization: Normalization {
        get throws {
            guard let name = try name else {
                return Normalization(mean: Array(repeating: 0.5, count: channels), std: Array(repeating: 0.5, count: channels))
            }
            return switch name {
            case .mnist: Normalization(mean: [0.1307], std: [0.3081])
            case .fashionMNIST: Normalization(mean: [0.2860], std: [0.3530])
            case .cifar10, .cifar100: Normalization(mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616])
            }
        }
    }
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model on a dataset, writing metrics, a checkpoint and logs to a run folder.")

    @Option(help: modelHelp, transform: ModelRegistry.canonicalName)
    var model = "lenet5"

    @OptionGroup var data: DataOptions

    @Option(help: "Number of epochs.")
    var epochs = 10

    @Option(help: "sgd, adam or adamw.")
    var optimizer = "sgd"

    @Option(help: "Learning rate (peak rate for onecycle).")
    var lr: Float = 0.05

    @Option(help: "SGD momentum.")
    var momentum: Float = 0.9

    @Option(help: "Weight decay (L2 for sgd/adam, decoupled for adamw).")
    var weightDecay: Float = 5e-4

    @Option(help: "constant, step, cosine or onecycle (per batch).")
    var schedule = "cosine"

    @Option(help: "Linear warm-up steps before the schedule.")
    var warmup = 0

    @Option(help: "Clip the gradient norm to this value.")
    var clipNorm: Float?

    @Option(help: "Random seed for initialization and shuffling.")
    var seed: UInt64 = 0

    @Option(help: "Run folder for metrics.json, metrics.csv and last.safetensors.")
    var out = "runs/latest"

    @Flag(help: "Continue from the run folder's last.safetensors.")
    var resume = false

    @Option(help: ArgumentHelp("Augment training images with this pipeline (SPEC or .json, as for `convkit augment`).",
                               discussion: "Runs per example on the loader's thread, seeded by --seed; mixup(alpha) or "
                                   + "cutmix(alpha) mix batches. Leave out normalize: training already normalizes "
                                   + "with the dataset's statistics."))
    var augment: String?

    @Flag(inversion: .prefixedNo, help: "Write RUN_DIR/report.html at the end (see convkit report).")
    var report = true

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
    }

    func run() throws {
        RandomGenerator.manualSeed(seed)
        let trainSet = try data.load(.train), testSet = try data.load(.test)
        let augmentation = try augment.map(TransformSpec.init)
        if let augmentation, augmentation.transform.transforms.contains(where: { $0 is Normalize }) {
            throw ValidationError("--augment must not normalize: training already normalizes with the dataset's statistics")
        }
        let train = try DataLoader(trainSet, batchSize: data.batchSize, shuffle: true, seed: seed, dropLast: true,
                                   exampleTransform: augmentation.map { AugmentationPipeline($0.transform, seed: seed) })
        let test = try DataLoader(testSet, batchSize: 1000)
        try Trainer.check(train: train, test: test)
        let shape = train.exampleShape
        let network = try ModelRegistry.make(model, numClasses: trainSet.classNames.count, inputChannels: shape[0],
                                             inputSize: shape[2])
        let steps = epochs * (trainSet.count / data.batchSize)
        let optimizer = try makeOptimizer(network.trainableParameters())
        let trainer = try Trainer(model: network, optimizer: optimizer, schedule: try makeSchedule(steps: steps),
                                  normalization: try data.normalization, runDirectory: URL(fileURLWithPath: out),
                                  metadata: ["model": model, "dataset": data.dataset, "optimizer": self.optimizer,
                                             "lr": String(lr), "batch_size": String(data.batchSize),
                                             "schedule": schedule, "seed": String(seed),
                                             "augment": augmentation?.description ?? "none"].merging(data.recorded) { a, _ in a })
        trainer.gradientClipNorm = clipNorm
        if let mixing = augmentation?.batchMixing {
            let (classes, seed) = (trainSet.classNames.count, seed)
            trainer.mixBatch = { images, labels, step in
                var generator = RandomGenerator(seed: seed ^ (UInt64(step) &* 0x9E37_79B9_7F4A_7C15))
                return try mixing(images: images, labels: labels, classes: classes, using: &generator)
            }
        }
        let first = resume ? try trainer.resume(from: trainer.checkpointURL) : 1
        print("training \(model) (\(network.parameterCount) parameters) on \(data.dataset): \(trainSet.count) train / "
            + "\(testSet.count) test images, epochs \(first)...\(epochs), run folder \(out)"
            + (augmentation.map { ", augmented by \($0)" } ?? ""))
        guard first <= epochs else { return print("nothing to do: the run already finished \(epochs) epochs") }
        try trainer.fit(train: train, test: test, epochs: first...epochs)
        if report {
            let destination = URL(fileURLWithPath: out).appendingPathComponent("report.html")
            try RunReport(runDirectory: URL(fileURLWithPath: out), dataDir: data.dataDir).write(to: destination)
            print("report: \(destination.path)")
        }
    }

    func makeOptimizer(_ parameters: [Tensor]) throws -> any ParameterOptimizer {
        switch optimizer {
        case "sgd": return try SGD(parameters, learningRate: lr, momentum: momentum, weightDecay: weightDecay)
        case "adam": return try Adam.adam(parameters, learningRate: lr, weightDecay: weightDecay)
        case "adamw": return try Adam.adamW(parameters, learningRate: lr, weightDecay: weightDecay)
        default: throw ValidationError("unknown optimizer '\(optimizer)'; use sgd, adam or adamw")
        }
    }

    func makeSchedule(steps: Int) throws -> LearningRateSchedule {
        let main: LearningRateSchedule
        switch schedule {
        case "constant": main = .constant
        case "step": main = try .step(size: max(1, steps / 3), gamma: 0.1)
        case "cosine": main = try .cosine(period: max(1, steps - warmup))
        case "onecycle": main = try .oneCycle(totalSteps: max(2, steps))
        default: throw ValidationError("unknown schedule '\(schedule)'; use constant, step, cosine or onecycle")
        }
        return warmup > 0 ? main.withLinearWarmup(steps: warmup) : main
    }
}

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Evaluate a trained model on a dataset's test split.")

    @Option(help: modelHelp, transform: ModelRegistry.canonicalName)
    var model = "lenet5"

    @Option(help: "Weights or checkpoint (.safetensors), e.g. RUN_DIR/last.safetensors.")
    var weights: String

    @OptionGroup var data: DataOptions

    func run() throws {
        let testSet = try data.load(.test)
        let shape = testSet.exampleShape
        let network = try ModelRegistry.make(model, numClasses: testSet.classNames.count, inputChannels: shape[0],
                                             inputSize: shape[2])
        let checkpoint = try Checkpoint.read(URL(fileURLWithPath: weights))
        try network.loadStateDict(Dictionary(uniqueKeysWithValues: checkpoint.modelState))
        let trainer = try Trainer(model: network, optimizer: try SGD([], learningRate: 0), normalization: try data.normalization,
                                  runDirectory: FileManager.default.temporaryDirectory)
        let (loss, accuracy) = try trainer.evaluate(try DataLoader(testSet, batchSize: 1000))
        print(String(format: "test loss %.4f, accuracy %.4f (%d images)", loss, accuracy, testSet.count))
    }
}
