import ArgumentParser
import ConvKitTraining
import Foundation

/// `convkit data`: download the named datasets and see where they are.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Download the named datasets and see where ConvKit finds them.",
        subcommands: [Fetch.self, List.self])

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a dataset from its usual home (or $CONVKIT_DATA_MIRROR/<name>/), check its SHA-256 and unpack it.")

        @Argument(help: "mnist, fashion-mnist, cifar10 or cifar100.")
        var name: String

        @Option(help: "Folder to put the dataset's files in (default: $CONVKIT_DATA/<name>; CONVKIT_DATA defaults to $CONVKIT_CACHE/data).")
        var dataDir: String?

        func run() throws {
            let dataset = try DataCommand.dataset(named: name)
            let progress = DownloadProgressBar()
            let result = try dataset.fetch(into: dataDir.map { URL(fileURLWithPath: $0) },
                                           willDownload: progress.announce, progress: progress.update)
            print(result.downloaded.isEmpty ? "\(dataset.rawValue) is already in \(result.folder.path)"
                  : "\(dataset.rawValue) is in \(result.folder.path) (downloaded \(result.downloaded.joined(separator: ", ")))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each dataset, where `convkit data fetch` puts it, and where it was found.")

        func run() throws {
            for dataset in DatasetName.allCases {
                let status = dataset.location().map { "present  \($0.path)" }
                    ?? "missing  (convkit data fetch \(dataset.rawValue) puts it in \(dataset.defaultFolder().path))"
                print(dataset.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0) + status)
            }
        }
    }

    static func dataset(named text: String) throws -> DatasetName {
        guard let name = DatasetName(rawValue: text) else {
            throw ValidationError("unknown dataset '\(text)'; known: " + DatasetName.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return name
    }
}
