import ConvKitCore
import Foundation

/// Where a named dataset is published: the files at its usual home with their SHA-256 digests,
/// and, for a dataset shipped as a `.tar.gz`, which of the archive's files the loader reads.
public struct DatasetSource: Sendable {
    public struct File: Sendable, Equatable {
        public var name: String
        public var sha256: String

        /// - Parameters:
        ///   - name: the file's name at the dataset's home, and in the data folder.
        ///   - sha256: its SHA-256, in lowercase hex.
        public init(name: String, sha256: String) {
            self.name = name
            self.sha256 = sha256
        }
    }

    /// The files inside a downloaded archive that the loader reads.
    public struct ArchiveLayout: Sendable, Equatable {
        /// The folder inside the archive that holds the members.
        public var folder: String
        /// Extracted into the data folder in this order; the loader's marker file comes last.
        public var members: [String]

        /// - Parameters:
        ///   - folder: the folder inside the archive that holds the members.
        ///   - members: the files to extract, the one whose presence marks the dataset complete last.
        public init(folder: String, members: [String]) {
            self.folder = folder
            self.members = members
        }
    }

    public var home: URL
    /// Downloaded in this order; for datasets used as downloaded, the marker file comes last.
    public var files: [File]
    /// Set when `files` is one archive to extract.
    public var archive: ArchiveLayout?

    /// - Parameters:
    ///   - home: the URL of the folder the files are published in.
    ///   - files: the files to download, with their digests.
    ///   - archive: for a `.tar.gz` (the only file), what to extract from it.
    public init(home: URL, files: [File], archive: ArchiveLayout? = nil) {
        self.home = home
        self.files = files
        self.archive = archive
    }
}

/// What a fetch did.
public struct DatasetFetchResult: Sendable, Equatable {
    /// The folder that now holds the dataset.
    public let folder: URL
    /// The files downloaded in this run (empty when everything was already there).
    public let downloaded: [String]
}

extension DatasetName {
    /// `CONVKIT_DATA_MIRROR=URL` replaces every dataset's home: files are fetched from `URL/<name>/<file>`.
    public static let mirrorVariable = "CONVKIT_DATA_MIRROR"

    /// The dataset's usual home and the SHA-256 of each published file. Each digest was found in
    /// at least two independent published checksum lists; the MNIST and Fashion-MNIST lists also
    /// give torchvision's MD5 for the same files.
    public var publishedSource: DatasetSource {
        switch self {
        case .mnist:
            // torchvision's copy of the files from yann.lecun.com.
            DatasetSource(home: URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/")!, files: [
                .init(name: "train-images-idx3-ubyte.gz", sha256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
                .init(name: "train-labels-idx1-ubyte.gz", sha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
                .init(name: "t10k-images-idx3-ubyte.gz", sha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
                .init(name: "t10k-labels-idx1-ubyte.gz", sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
            ])
        case .fashionMNIST:
            DatasetSource(home: URL(string: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")!, files: [
                .init(name: "train-images-idx3-ubyte.gz", sha256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
                .init(name: "train-labels-idx1-ubyte.gz", sha256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
                .init(name: "t10k-images-idx3-ubyte.gz", sha256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
                .init(name: "t10k-labels-idx1-ubyte.gz", sha256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
            ])
        case .cifar10:
            DatasetSource(home: URL(string: "https://www.cs.toronto.edu/~kriz/")!, files: [
                .init(name: "cifar-10-binary.tar.gz", sha256: "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"),
            ], archive: .init(folder: "cifar-10-batches-bin", members: (1...5).map { "data_batch_\($0).bin" }
                + ["batches.meta.txt", markerFile]))
        case .cifar100:
            DatasetSource(home: URL(string: "https://www.cs.toronto.edu/~kriz/")!, files: [
                .init(name: "cifar-100-binary.tar.gz", sha256: "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec"),
            ], archive: .init(folder: "cifar-100-binary",
                              members: ["train.bin", "coarse_label_names.txt", "fine_label_names.txt", markerFile]))
        }
    }

    /// The server files are fetched from: `$CONVKIT_DATA_MIRROR/<name>/` when set, else the source's home.
    public func server(source: DatasetSource, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        VerifiedDownload.mirror(Self.mirrorVariable, environment: environment)?.appendingPathComponent(rawValue + "/")
            ?? source.home
    }

    /// Downloads the dataset into `folder` (default ``defaultFolder(environment:)``), checking each
    /// file's SHA-256, and extracts archives into the layout the loader reads. Files already there
    /// are checked and kept; each new file appears only once complete, the loader's marker file last,
    /// so a dataset that ``isPresent(in:)`` is whole. `willDownload` hears each URL and destination.
    public func fetch(into folder: URL? = nil, source: DatasetSource? = nil,
                      environment: [String: String] = ProcessInfo.processInfo.environment,
                      stallTimeout: TimeInterval = 60, limits: ResourceLimits = .current,
                      willDownload: (URL, URL) -> Void = { _, _ in },
                      progress: @escaping VerifiedDownload.Progress = { _, _ in }) throws -> DatasetFetchResult {
        let source = source ?? publishedSource
        let folder = folder ?? defaultFolder(environment: environment)
        let settings = VerifiedDownload.Settings(mirrorVariable: Self.mirrorVariable,
                                                 folderHint: "set \(Self.dataVariable) or pass --data-dir",
                                                 stallTimeout: stallTimeout)
        try VerifiedDownload.createFolder(folder, settings: settings)
        if let archive = source.archive,
           archive.members.allSatisfy({ FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }) {
            return DatasetFetchResult(folder: folder, downloaded: [])
        }
        let server = server(source: source, environment: environment)
        var downloaded: [String] = []
        for file in source.files {
            let destination = folder.appendingPathComponent(file.name)
            if FileManager.default.fileExists(atPath: destination.path) {
                let digest = try SHA256.hexDigest(ofFileAt: destination)
                guard digest == file.sha256.lowercased() else {
                    throw DownloadError("SHA-256 of \(destination.path) is \(digest), expected \(file.sha256); "
                        + "it is not the published file: delete it and fetch again")
                }
                continue
            }
            let url = server.appendingPathComponent(file.name)
            willDownload(url, destination)
            try VerifiedDownload.fetch(url, to: destination, sha256: file.sha256, settings: settings, progress: progress)
            downloaded.append(file.name)
        }
        if let archive = source.archive, let file = source.files.first {
            let archiveFile = folder.appendingPathComponent(file.name)
            for member in archive.members {
                VerifiedDownload.removeStaleTemporaries(of: folder.appendingPathComponent(member))
            }
            try TarArchive.extract(archiveFile, folder: archive.folder, members: archive.members, into: folder, limits: limits)
            try? FileManager.default.removeItem(at: archiveFile)
        }
        return DatasetFetchResult(folder: folder, downloaded: downloaded)
    }
}
