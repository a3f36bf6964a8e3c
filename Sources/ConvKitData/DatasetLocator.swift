import Foundation

/// The datasets ConvKit can read by name, and where it looks for their files.
public enum DatasetName: String, CaseIterable, Sendable {
    case mnist
    case fashionMNIST = "fashion-mnist"
    case cifar10
    case cifar100

    /// `CONVKIT_DATA` moves the data folder (default `$CONVKIT_CACHE/data`).
    public static let dataVariable = "CONVKIT_DATA"

    /// Loads one split from `directory`, or from the first place in ``searchPath(explicit:environment:)`` that has the files.
    public func load(split: IDXDataset.Split, directory: URL? = nil) throws -> InMemoryImageDataset {
        let folder = try locate(explicit: directory)
        switch self {
        case .mnist: return try IDXDataset.load(from: folder, split: split, classNames: IDXDataset.mnistClasses)
        case .fashionMNIST: return try IDXDataset.load(from: folder, split: split, classNames: IDXDataset.fashionMNISTClasses)
        case .cifar10: return try CIFARDataset.load(from: folder, variant: .cifar10, split: split)
        case .cifar100: return try CIFARDataset.load(from: folder, variant: .cifar100, split: split)
        }
    }

    /// The folder datasets are fetched into: `$CONVKIT_DATA`, else `$CONVKIT_CACHE/data`.
    public static func dataRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let custom = environment[dataVariable], !custom.isEmpty { return URL(fileURLWithPath: custom) }
        return CacheFolder.root(environment: environment).appendingPathComponent("data")
    }

    /// Where `convkit data fetch` puts this dataset: `<data root>/<name>`.
    public func defaultFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        Self.dataRoot(environment: environment).appendingPathComponent(rawValue)
    }

    /// Where the files are looked for, in order: the explicit directory alone when given; else
    /// ``defaultFolder(environment:)``, `./data/<name>` from the working directory, and
    /// `/usr/share/datasets/<name>` (Debian's dataset packages).
    public func searchPath(explicit: URL?, environment: [String: String] = ProcessInfo.processInfo.environment) -> [URL] {
        if let explicit { return [explicit] }
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        return [defaultFolder(environment: environment), here.appendingPathComponent("data/\(rawValue)"),
                URL(fileURLWithPath: "/usr/share/datasets/\(rawValue)")]
    }

    /// The first place in the search path that holds the dataset, or nil.
    public func location(explicit: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        searchPath(explicit: explicit, environment: environment).first(where: isPresent(in:))
    }

    /// Whether `folder` holds the file the loader reads last, compressed or not. A fetch moves
    /// that file into place last, so an interrupted one is not mistaken for a complete dataset.
    public func isPresent(in folder: URL) -> Bool {
        [markerFile, markerFile + ".gz"].contains { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
    }

    var markerFile: String {
        switch self {
        case .mnist, .fashionMNIST: "t10k-labels-idx1-ubyte"
        case .cifar10: "test_batch.bin"
        case .cifar100: "test.bin"
        }
    }

    func locate(explicit: URL?) throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let found = location(explicit: explicit, environment: environment) { return found }
        let places = searchPath(explicit: explicit, environment: environment)
        let fetch = explicit.map { "`convkit data fetch \(rawValue) --data-dir \($0.path)`" } ?? "`convkit data fetch \(rawValue)`"
        let debian = self == .fashionMNIST ? " (or `apt-get install dataset-fashion-mnist`)" : ""
        throw DatasetError("\(rawValue) not found; looked in " + places.map(\.path).joined(separator: ", ")
            + "; download it with \(fetch)\(debian), or pass --data-dir to a folder that has its files")
    }
}
