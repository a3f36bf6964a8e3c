import Foundation

/// The datasets ConvKit can read by name, and where it looks for their files.
public enum DatasetName: String, CaseIterable, Sendable {
    case mnist
    case fashionMNIST = "fashion-mnist"
    case cifar10
    case cifar100

    /// Loads one split from `directory`, or from the first place in ``searchPath(explicit:)`` that has the files.
    public func load(split: IDXDataset.Split, directory: URL? = nil) throws -> InMemoryImageDataset {
        let folder = try locate(explicit: directory)
        switch self {
        case .mnist: return try IDXDataset.load(from: folder, split: split, classNames: IDXDataset.mnistClasses)
        case .fashionMNIST: return try IDXDataset.load(from: folder, split: split, classNames: IDXDataset.fashionMNISTClasses)
        case .cifar10: return try CIFARDataset.load(from: folder, variant: .cifar10, split: split)
        case .cifar100: return try CIFARDataset.load(from: folder, variant: .cifar100, split: split)
        }
    }

    /// Where the files are looked for, in order: the explicit directory; `$CONVKIT_DATA/<name>`;
    /// `../shared/data/<name>` and `./data/<name>` from the working directory;
    /// `/usr/share/datasets/<name>` (Debian's dataset packages).
    public func searchPath(explicit: URL?) -> [URL] {
        if let explicit { return [explicit] }
        var places: [URL] = []
        if let root = ProcessInfo.processInfo.environment["CONVKIT_DATA"] {
            places.append(URL(fileURLWithPath: root).appendingPathComponent(rawValue))
        }
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        places.append(here.appendingPathComponent("../shared/data/\(rawValue)").standardized)
        places.append(here.appendingPathComponent("data/\(rawValue)"))
        places.append(URL(fileURLWithPath: "/usr/share/datasets/\(rawValue)"))
        return places
    }

    func locate(explicit: URL?) throws -> URL {
        let marker = self == .cifar10 ? "test_batch.bin" : self == .cifar100 ? "test.bin" : "t10k-labels-idx1-ubyte"
        let places = searchPath(explicit: explicit)
        for place in places {
            let candidates = [marker, marker + ".gz"].map { place.appendingPathComponent($0).path }
            if candidates.contains(where: FileManager.default.fileExists(atPath:)) { return place }
        }
        let hint = switch self {
        case .fashionMNIST: "install it with `apt-get install dataset-fashion-mnist`, or pass --data-dir"
        case .mnist: "download the four IDX files (train/t10k images and labels) and pass --data-dir"
        case .cifar10, .cifar100: "download the binary version and pass --data-dir to its folder"
        }
        throw DatasetError("\(rawValue) not found; looked in " + places.map(\.path).joined(separator: ", ") + "; " + hint)
    }
}
