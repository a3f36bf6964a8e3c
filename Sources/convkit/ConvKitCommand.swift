import ArgumentParser
import ConvKitCore

@main
struct ConvKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convkit",
        abstract: "ConvKit \(ConvKitVersion.current): build, train, inspect, explain and transfer convolutional neural networks.",
        version: ConvKitVersion.current,
        subcommands: [Train.self, Eval.self, Predict.self, Summary.self, Report.self, Saliency.self, Filters.self, Activations.self,
                      Augment.self, Embed.self, Probe.self, Finetune.self, Bench.self, DataCommand.self])
}
