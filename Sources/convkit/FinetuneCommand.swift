import ArgumentParser
import ConvKitTraining
import ConvKitVision
import Foundation

struct Finetune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Transfer a pretrained model to a dataset: new head, then a linear probe, full fine-tuning or gradual unfreezing.",
        discussion: """
            linear-probe trains only the new head (the backbone is frozen, its batch norms keep their statistics);
            finetune trains everything (the backbone at --backbone-lr, earlier stages smaller with --layer-decay);
            gradual trains the head first, then thaws one more backbone stage every --unfreeze-every epochs, later
            stages first. Without --weights the same network is trained from scratch at --lr.
            """)

    @Option(help: modelHelp, transform: ModelRegistry.canonicalName)
    var model: String

    @Option(help: "Pretrained weights: .pth/.pt, .safetensors (e.g. a `convkit train` checkpoint) or 'imagenet'; omit to train from scratch.")
    var weights: String?

    @OptionGroup var data: DataOptions

    @Option(help: "linear-probe, finetune or gradual.")
    var strategy = "finetune"

    @Option(help: "Also freeze parameters matching this glob (repeatable), e.g. 'layer1' or '_blocks.*'.")
    var freeze: [String] = []

    @Option(help: "Learning rate of the new head (and of everything when training from scratch).")
    var lr: Float = 1e-3

    @Option(help: "Learning rate of the backbone's last stage (default: --lr / 10).")
    var backboneLr: Float?

    @Option(help: "Each earlier backbone stage's rate is the next one's times this (1 = no decay).")
    var layerDecay: Float = 1

    @Option(help: "For --strategy gradual: epochs between thawing stages.")
    var unfreezeEvery = 1

    @Option(help: "Number of epochs.")
    var epochs = 5

    @Option(help: "Linear warm-up steps before the cosine schedule.")
    var warmup = 0

    @Option(help: "AdamW weight decay.")
    var weightDecay: Float = 1e-4

    @Flag(help: "Let frozen batch-norm layers update their running statistics in training mode.")
    var trainFrozenBatchNorm = false

    @Option(help: "Random seed for the head's initialization and shuffling.")
    var seed: UInt64 = 0

    @Option(help: "Run folder for metrics.json, metrics.csv and last.safetensors.")
    var out = "runs/finetune"

    func validate() throws {
        guard ["linear-probe", "finetune", "gradual"].contains(strategy) else {
            throw ValidationError("unknown strategy '\(strategy)'; use linear-probe, finetune or gradual")
        }
        guard weights != nil || strategy == "finetune" else {
            throw ValidationError("--strategy \(strategy) needs pretrained --weights")
        }
        guard epochs > 0, unfreezeEvery > 0 else { throw ValidationError("--epochs and --unfreeze-every must be positive") }
    }

    func run() throws {
        let start = Date()
        RandomGenerator.manualSeed(seed)
        let trainSet = try data.load(.train), testSet = try data.load(.test)
        let shape = trainSet.exampleShape
        let transfer = try TransferModel(name: model, weights: weights, dataChannels: shape[0], inputSize: shape[2])
        let network = transfer.network
        if try weights != nil || network.classifierHead.outFeatures != trainSet.classNames.count {
            try network.replaceClassifier(numClasses: trainSet.classNames.count)
        }
        let plan = try FineTuningPlan(stages: BackboneStages(network, headPath: network.classifierPath),
                                      headLearningRate: lr, backboneLearningRate: weights == nil ? lr : backboneLr ?? lr / 10,
                                      layerDecay: layerDecay, unfreezeEvery: strategy == "gradual" ? unfreezeEvery : nil)
        if strategy == "linear-probe" { try network.freeze(plan.stages.paths) }
        if !freeze.isEmpty { try network.freeze(freeze) }
        for case let batchNorm as BatchNorm in network.namedModules().map(\.1) {
            batchNorm.updatesStatisticsWhenFrozen = trainFrozenBatchNorm
        }

        let optimizer = try Adam(groups: plan.parameterGroups(of: network, weightDecay: weightDecay), decoupledWeightDecay: true)
        let steps = epochs * max(1, trainSet.count / data.batchSize)
        let cosine = try LearningRateSchedule.cosine(period: max(1, steps - warmup))
        let trainer = try Trainer(model: network, optimizer: optimizer,
                                  schedule: warmup > 0 ? cosine.withLinearWarmup(steps: warmup) : cosine,
                                  normalization: try transfer.normalization(for: data, dataChannels: shape[0]),
                                  runDirectory: URL(fileURLWithPath: out),
                                  metadata: ["model": model, "dataset": data.dataset, "strategy": strategy,
                                             "weights": weights ?? "none", "lr": String(lr), "seed": String(seed)])
        if strategy == "gradual" {
            try plan.apply(to: network, epoch: 1)
            trainer.beforeEpoch = { epoch in
                let training = try plan.apply(to: network, epoch: epoch)
                if !freeze.isEmpty { try network.freeze(freeze) }
                print("epoch \(epoch): training \(training.joined(separator: ", "))")
            }
        }
        let trainable = network.trainableParameters().reduce(0) { $0 + $1.count }
        print("\(strategy) \(model) (\(weights ?? "from scratch")) on \(data.dataset): \(trainSet.count) train / "
            + "\(testSet.count) test images of shape \(shape), \(trainable) of \(network.parameterCount) parameters trainable")
        let train = try DataLoader(trainSet, batchSize: data.batchSize, shuffle: true, seed: seed, dropLast: trainSet.count > data.batchSize)
        let metrics = try trainer.fit(train: train, test: try DataLoader(testSet, batchSize: 250), epochs: 1...epochs)
        let trainSeconds = metrics.reduce(0) { $0 + $1.trainSeconds }
        print(String(format: "final test accuracy %.4f; training %.1fs, wall time %.1fs", metrics.last?.testAccuracy ?? 0,
                     trainSeconds, Date().timeIntervalSince(start)))
    }
}
