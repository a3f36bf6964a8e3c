import ArgumentParser

@main
struct ConvKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convkit",
        abstract: "Build, train, inspect, explain and transfer convolutional neural networks.",
        subcommands: [Train.self, Eval.self, Predict.self, Summary.self, Report.self, Saliency.self, Filters.self, Activations.self,
                      Augment.self, Embed.self, Probe.self, Finetune.self, Bench.self, DataCommand.self])
}
