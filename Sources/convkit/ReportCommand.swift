import ArgumentParser
import ConvKitTraining
import ConvKitVision
import Foundation

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a self-contained HTML report of a training run: configuration, curves, confusion matrix, filters, saliency maps.")

    @Argument(help: "Run folder written by convkit train (holds last.safetensors and metrics.json).")
    var runDir: String

    @Option(help: "Dataset folder (default: the one the run recorded, then the usual places).")
    var dataDir: String?

    @Option(help: "Evaluate only the first N test images.")
    var limitTest: Int?

    @Option(help: "Output file (default: RUN_DIR/report.html).")
    var out: String?

    func run() throws {
        let run = URL(fileURLWithPath: runDir)
        let destination = out.map { URL(fileURLWithPath: $0) } ?? run.appendingPathComponent("report.html")
        try RunReport(runDirectory: run, dataDir: dataDir, limitTest: limitTest).write(to: destination)
        print("wrote \(destination.path)")
    }
}

/// The report of one run, evaluated again from its checkpoint and the dataset it recorded.
struct RunReport {
    let runDirectory: URL
    var dataDir: String?
    var limitTest: Int?
    /// Test images explained with saliency maps and Grad-CAM, and misclassified ones shown.
    var explainedCount = 4, misclassifiedCount = 12

    func write(to destination: URL) throws {
        let checkpointURL = runDirectory.appendingPathComponent("last.safetensors")
        guard FileManager.default.fileExists(atPath: checkpointURL.path) else {
            throw ValidationError("no last.safetensors in \(runDirectory.path): give a run folder written by convkit train")
        }
        let checkpoint = try Checkpoint.read(checkpointURL)
        let metadata = checkpoint.metadata
        guard let modelName = metadata["model"], let dataset = metadata["dataset"] else {
            throw ValidationError("\(checkpointURL.path) does not record its model and dataset; it was not written by convkit train")
        }
        var arguments = ["--dataset", dataset]
        if let directory = dataDir ?? metadata["data_dir"] { arguments += ["--data-dir", directory] }
        if let size = metadata["image_size"] { arguments += ["--image-size", size] }
        if let channels = metadata["channels"] { arguments += ["--channels", channels] }
        let data = try DataOptions.parse(arguments)
        var testSet = try data.load(.test)
        if let limitTest { testSet = try testSet.prefix(limitTest) }
        let names = testSet.classNames
        let shape = testSet.exampleShape
        let model = try ModelRegistry.make(modelName, numClasses: names.count, inputChannels: shape[0], inputSize: shape[2])
        try model.loadStateDict(Dictionary(uniqueKeysWithValues: checkpoint.modelState))
        model.eval()
        let normalization = try data.normalization

        // Predictions for the whole test split, keeping the first and the misclassified images.
        var predicted: [Int] = [], confidence: [Float] = [], shown: [(image: Tensor, index: Int)] = []
        var misclassified: [(image: Tensor, index: Int)] = []
        try DataLoader(testSet, batchSize: 500).forEachBatch { _, batch in
            let probabilities = try withNoGrad { try model(try normalization(batch.images)).softmax(axis: 1) }
            let rows = try probabilities.argmax(axis: 1).integers, values = probabilities.scalars
            for (row, prediction) in rows.enumerated() {
                let index = predicted.count
                predicted.append(prediction)
                confidence.append(values[row * names.count + prediction])
                if shown.count < explainedCount { shown.append((try batch.images[row], index)) }
                if prediction != testSet.labels[index], misclassified.count < misclassifiedCount {
                    misclassified.append((try batch.images[row], index))
                }
            }
        }
        let matrix = try ConfusionMatrix(actual: testSet.labels, predicted: predicted, classCount: names.count)

        var report = HTMLReport(title: "ConvKit report: \(modelName) on \(dataset) (\(runDirectory.lastPathComponent))")
        report.heading("Configuration")
        // The optimizer's own state (step counts, per-group rates) is left out: it is not configuration.
        let settings = metadata.filter { !$0.key.hasPrefix("optimizer_") }.sorted { $0.key < $1.key }
        report.table([["setting", "value"]] + settings.map { [$0.key, $0.value] }
            + [["parameters", "\(model.parameterCount)"], ["test images evaluated", "\(testSet.count)"],
               ["test accuracy", String(format: "%.2f%%", 100 * matrix.accuracy)]])

        report.heading("Training curves")
        if let log = try? MetricsLog.load(from: runDirectory), !log.epochs.isEmpty {
            report.figures([.svg(Self.curve(log, "Loss", train: \.trainLoss, test: \.testLoss)),
                            .svg(Self.curve(log, "Accuracy", train: \.trainAccuracy, test: \.testAccuracy))])
        } else {
            report.paragraph("No metrics.json in the run folder.")
        }

        report.heading("Confusion matrix")
        report.figures([.svg(matrix.svg(classNames: names, cellSize: names.count > 20 ? 10 : 34))])
        report.paragraph("Most confused pairs (actual → predicted):")
        report.table([["actual", "predicted", "count"]]
            + matrix.mostConfused(limit: 8).map { [names[$0.actual], names[$0.predicted], "\($0.count)"] })

        let convolutions = model.convolutionPaths
        if let first = convolutions.first, let weight = model.module(at: first)?.namedParameters().first(where: { $0.0 == "weight" })?.1 {
            report.heading("First-layer filters")
            let filters = try FilterGrid.image(weight: weight, name: first)
            report.figures([try .png(filters, caption: "\(first) \(weight.shape)")])
        }

        report.heading("Saliency maps and Grad-CAM")
        let describe = { (index: Int) in
            "#\(index): \(names[testSet.labels[index]]), predicted \(names[predicted[index]])"
                + String(format: " (%.0f%%)", 100 * confidence[index])
        }
        let width = max(112, min(224, shape[2] * 4))
        for (image, index) in shown {
            let input = try normalization(try image.unsqueezed(at: 0))
            let picture = try Image(tensor: image)
            var figures: [Figure] = [try .png(picture, caption: describe(index), width: width)]
            let saliency = try VanillaSaliency().saliencyMap(model: model, input: input, target: nil)
            figures.append(try .png(try Heatmap.overlay(try saliency[0], on: picture), caption: "saliency (loss gradient)", width: width))
            if let last = convolutions.last {
                let cam = try GradCAM(layer: last).saliencyMap(model: model, input: input, target: nil)
                figures.append(try .png(try Heatmap.overlay(try cam[0], on: picture), caption: "Grad-CAM on \(last)", width: width))
            }
            report.figures(figures)
        }

        report.heading("Misclassified examples")
        if misclassified.isEmpty { report.paragraph("None among the evaluated test images.") }
        report.figures(try misclassified.map { try .png(try Image(tensor: $0.image), caption: describe($0.index), width: 112) })
        try report.write(to: destination)
    }

    static func curve(_ log: MetricsLog, _ name: String, train: KeyPath<EpochMetrics, Double>,
                      test: KeyPath<EpochMetrics, Double>) -> String {
        LineChart(title: name, xLabel: "epoch", yLabel: name.lowercased(), series: [
            .init(name: "train", points: log.epochs.map { (Double($0.epoch), $0[keyPath: train]) }, color: "#1f77b4"),
            .init(name: "test", points: log.epochs.map { (Double($0.epoch), $0[keyPath: test]) }, color: "#d62728"),
        ]).svg()
    }
}
