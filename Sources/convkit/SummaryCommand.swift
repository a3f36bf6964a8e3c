import ArgumentParser
import ConvKitVision

struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A model's layers, output shapes, parameters, mult-adds and receptive fields.")

    @Option(help: modelHelp, transform: ModelRegistry.canonicalName)
    var model: String

    @Option(help: "Input shape C x H x W.")
    var input = "3x224x224"

    @Option(help: "Number of classes of the classifier head.")
    var numClasses = 1000

    func run() throws {
        let shape = input.split(separator: "x").compactMap { Int($0) }
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--input must look like 3x224x224, got \(input)")
        }
        let network = try ModelRegistry.make(model, numClasses: numClasses, inputChannels: shape[0], inputSize: shape[1])
        print(try ModelSummary(network, inputShape: shape).table)
    }
}
