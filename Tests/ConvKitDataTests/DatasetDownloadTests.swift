@testable import ConvKitData
import ConvKitTestSupport
import Foundation
import Testing

/// One tar entry (ustar header, content, padding) as `tar` writes it.
func tarEntry(_ name: String, _ contents: [UInt8] = [], type: Character = "0", linkName: String = "",
              corruptChecksum: Bool = false) -> [UInt8] {
    var header = [UInt8](repeating: 0, count: 512)
    func put(_ text: String, at offset: Int) { for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte } }
    func octal(_ value: Int, width: Int) -> String {
        let digits = String(value, radix: 8)
        return String(repeating: "0", count: width - digits.count) + digits
    }
    put(name, at: 0)
    put("0000644", at: 100)
    put("0000000", at: 108)
    put("0000000", at: 116)
    put(octal(contents.count, width: 11), at: 124)
    put("00000000000", at: 136)
    put("        ", at: 148)
    header[156] = type.asciiValue!
    put(linkName, at: 157)
    put("ustar", at: 257)
    put("00", at: 263)
    let checksum = header.reduce(0) { $0 + Int($1) } + (corruptChecksum ? 1 : 0)
    put(octal(checksum, width: 6), at: 148)
    header[154] = 0
    let padding = (512 - contents.count % 512) % 512
    return header + contents + [UInt8](repeating: 0, count: padding)
}

/// A tar archive of `entries` with its two closing zero blocks.
func tarArchive(_ entries: [[UInt8]]) -> [UInt8] { entries.flatMap { $0 } + [UInt8](repeating: 0, count: 1024) }

/// A CIFAR-10 binary record: the label byte, then 3x32x32 pixels.
func cifarRecord(_ label: UInt8) -> [UInt8] { [label] + [UInt8](repeating: label &* 10, count: 3072) }

@Suite struct DatasetDownloadTests {
    static let unreachableHome = URL(string: "http://127.0.0.1:9/not-used/")!

    /// Tiny gzipped IDX files under MNIST's names and a source that expects exactly them.
    static func tinyMNIST(in directory: TemporaryDirectory) throws -> (files: [String: Data], source: DatasetSource) {
        let images = idx([2, 2, 2], (0..<8).map { UInt8($0 * 30) }), labels = idx([2], [7, 3])
        var files: [String: Data] = [:]
        for split in ["train", "t10k"] {
            files["\(split)-images-idx3-ubyte.gz"] = Data(try gzip(images, in: directory))
            files["\(split)-labels-idx1-ubyte.gz"] = Data(try gzip(labels, in: directory))
        }
        let names = DatasetName.mnist.publishedSource.files.map(\.name)
        let source = DatasetSource(home: unreachableHome, files: names.map { .init(name: $0, sha256: SHA256.hexDigest(of: files[$0]!)) })
        return (files, source)
    }

    static func mirror(_ server: LocalHTTPServer) -> [String: String] {
        [DatasetName.mirrorVariable: server.baseURL.absoluteString]
    }

    func contents(_ folder: URL) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
    }

    @Test func publishedTableCoversEveryDataset() {
        for name in DatasetName.allCases {
            let source = name.publishedSource
            #expect(!source.files.isEmpty, "\(name)")
            #expect(source.files.allSatisfy { $0.sha256.count == 64 && $0.sha256.allSatisfy { "0123456789abcdef".contains($0) } },
                    "\(name)")
            #expect(["http", "https"].contains(source.home.scheme), "\(name)")
            if let archive = source.archive {
                #expect(source.files.count == 1 && source.files[0].name.hasSuffix(".tar.gz"), "\(name)")
                #expect(archive.members.last == name.markerFile, "\(name): the marker must be moved into place last")
            } else {
                #expect(source.files.count == 4 && source.files.last?.name == name.markerFile + ".gz", "\(name)")
            }
        }
        #expect(DatasetName.cifar10.publishedSource.home.absoluteString == "https://www.cs.toronto.edu/~kriz/")
        #expect(DatasetName.mnist.publishedSource.home.absoluteString == "https://ossci-datasets.s3.amazonaws.com/mnist/")
    }

    @Test func dataFolderFollowsTheEnvironment() {
        #expect(DatasetName.mnist.defaultFolder(environment: ["CONVKIT_CACHE": "/c"]).path == "/c/data/mnist")
        #expect(DatasetName.mnist.defaultFolder(environment: ["CONVKIT_CACHE": "/c", "CONVKIT_DATA": "/d"]).path == "/d/mnist")
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        #expect(DatasetName.cifar10.defaultFolder(environment: [:]).path == home + "/.cache/convkit/data/cifar10")
        let places = DatasetName.fashionMNIST.searchPath(explicit: nil, environment: ["CONVKIT_DATA": "/d"]).map(\.path)
        let here = FileManager.default.currentDirectoryPath
        #expect(places == ["/d/fashion-mnist", here + "/data/fashion-mnist", "/usr/share/datasets/fashion-mnist"])
    }

    @Test func fetchThroughTheMirrorLandsFilesThatLoad() throws {
        let directory = try TemporaryDirectory()
        let (files, source) = try Self.tinyMNIST(in: directory)
        let server = try LocalHTTPServer(routes: files.reduce(into: [:]) { $0["/mnist/" + $1.key] = .body($1.value) })
        let environment = Self.mirror(server).merging(["CONVKIT_DATA": directory.url.appendingPathComponent("root").path]) { $1 }
        var announced: [String] = []
        let result = try DatasetName.mnist.fetch(source: source, environment: environment,
                                                 willDownload: { url, _ in announced.append(url.absoluteString) })
        let folder = directory.url.appendingPathComponent("root/mnist")
        #expect(result.folder.path == folder.path && result.downloaded == source.files.map(\.name))
        #expect(announced == source.files.map { server.baseURL.absoluteString + "mnist/" + $0.name })
        #expect(contents(folder) == Set(files.keys))
        #expect(DatasetName.mnist.location(environment: environment)?.path == folder.path)
        let test = try DatasetName.mnist.load(split: .test, directory: folder)
        #expect(test.count == 2 && test.labels == [7, 3] && test.exampleShape == [1, 2, 2])

        let again = try DatasetName.mnist.fetch(source: source, environment: environment)
        #expect(again.downloaded.isEmpty)
        #expect(server.requests.count == 4, "files already there are checked, not downloaded again")
    }

    @Test func wrongHashTruncationAnd404LeaveNoFileBehind() throws {
        let directory = try TemporaryDirectory()
        let (files, source) = try Self.tinyMNIST(in: directory)
        let first = "train-images-idx3-ubyte.gz"
        let folder = directory.url.appendingPathComponent("mnist")
        let cases: [(LocalHTTPServer.Reply?, String)] = [
            (.body(Data(files[first]!.reversed())), "SHA-256 of \(first) is "),
            (.truncated(files[first]!.prefix(10), announcedLength: files[first]!.count), "got 10 of \(files[first]!.count) bytes"),
            (nil, "server answered 404 for "),
        ]
        for (reply, expected) in cases {
            let server = try LocalHTTPServer(routes: reply.map { ["/mnist/" + first: $0] } ?? [:])
            let error = #expect(throws: DownloadError.self) {
                try DatasetName.mnist.fetch(into: folder, source: source, environment: Self.mirror(server))
            }
            let message = error?.description ?? ""
            #expect(message.contains(expected) && !message.contains("\n"), "\(message)")
            #expect(contents(folder).isEmpty, "\(contents(folder))")
            #expect(!DatasetName.mnist.isPresent(in: folder))
        }
        let server = try LocalHTTPServer(routes: [:])
        let error = #expect(throws: DownloadError.self) {
            try DatasetName.mnist.fetch(into: folder, source: source, environment: Self.mirror(server))
        }
        #expect(error?.description == "server answered 404 for \(server.baseURL.absoluteString)mnist/\(first); check CONVKIT_DATA_MIRROR")
    }

    @Test func aStalePartialFromAKilledRunIsCleanedUp() throws {
        let directory = try TemporaryDirectory()
        let (files, source) = try Self.tinyMNIST(in: directory)
        let server = try LocalHTTPServer(routes: files.reduce(into: [:]) { $0["/mnist/" + $1.key] = .body($1.value) })
        let folder = directory.url.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let stale = ".train-images-idx3-ubyte.gz.\(try deadProcessID()).partial"
        try Data("half a file".utf8).write(to: folder.appendingPathComponent(stale))
        _ = try DatasetName.mnist.fetch(into: folder, source: source, environment: Self.mirror(server))
        #expect(contents(folder) == Set(files.keys))
    }

    @Test func aFileAlreadyThereWithTheWrongDigestIsReportedNotReplaced() throws {
        let directory = try TemporaryDirectory()
        let (_, source) = try Self.tinyMNIST(in: directory)
        let folder = directory.url.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("train-images-idx3-ubyte.gz")
        try Data("mine".utf8).write(to: path)
        let error = #expect(throws: DownloadError.self) {
            try DatasetName.mnist.fetch(into: folder, source: source, environment: [:])
        }
        #expect(error?.description.hasPrefix("SHA-256 of \(path.path) is ") == true, "\(String(describing: error))")
        #expect(try Data(contentsOf: path) == Data("mine".utf8))
    }

    @Test func cifarArchiveIsUnpackedIntoTheLoaderLayout() throws {
        let directory = try TemporaryDirectory()
        let batches = (1...5).map { [UInt8](cifarRecord(UInt8($0))) } + [cifarRecord(9) + cifarRecord(4)]
        let names = (1...5).map { "data_batch_\($0).bin" } + ["test_batch.bin"]
        let archive = try gzip(tarArchive([tarEntry("cifar-10-batches-bin/", type: "5"), tarEntry("cifar-10-batches-bin/readme.html", [1])]
            + zip(names, batches).map { tarEntry("cifar-10-batches-bin/" + $0, $1) }
            + [tarEntry("cifar-10-batches-bin/batches.meta.txt", Array("airplane\n".utf8))]), in: directory)
        var source = DatasetName.cifar10.publishedSource
        source.home = Self.unreachableHome
        source.files = [.init(name: "cifar-10-binary.tar.gz", sha256: SHA256.hexDigest(of: archive))]
        let server = try LocalHTTPServer(routes: ["/cifar10/cifar-10-binary.tar.gz": .body(Data(archive))])
        let folder = directory.url.appendingPathComponent("cifar10")
        let result = try DatasetName.cifar10.fetch(into: folder, source: source, environment: Self.mirror(server))
        #expect(result.downloaded == ["cifar-10-binary.tar.gz"])
        #expect(contents(folder) == Set(names + ["batches.meta.txt"]), "the archive is removed once unpacked")
        let test = try DatasetName.cifar10.load(split: .test, directory: folder)
        #expect(test.labels == [9, 4])
        #expect(try DatasetName.cifar10.load(split: .train, directory: folder).labels == [1, 2, 3, 4, 5])
        #expect(try DatasetName.cifar10.fetch(into: folder, source: source, environment: Self.mirror(server)).downloaded.isEmpty)
        #expect(server.requests.count == 1)
    }
}

@Suite struct TarArchiveTests {
    /// Writes `entries` as a .tar.gz and extracts `top/a` and `top/b` from it.
    func extract(_ archive: [UInt8], limits: ResourceLimits = ResourceLimits()) throws -> (TemporaryDirectory, Set<String>) {
        let directory = try TemporaryDirectory()
        let file = directory.url.appendingPathComponent("archive.tar.gz")
        try Data(try gzip(archive, in: directory)).write(to: file)
        let out = directory.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        do {
            try TarArchive.extract(file, folder: "top", members: ["a", "b"], into: out, limits: limits)
        } catch {
            let left = Set((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? [])
            #expect(left.isEmpty, "a failed extraction leaves nothing: \(left)")
            throw error
        }
        return (directory, Set(try FileManager.default.contentsOfDirectory(atPath: out.path)))
    }

    @Test func extractsOnlyTheWantedMembers() throws {
        let big = (0..<5000).map { UInt8(truncatingIfNeeded: $0) }
        let (directory, names) = try extract(tarArchive([tarEntry("./top/", type: "5"), tarEntry("top/a", big),
                                                         tarEntry("top/other", [9]), tarEntry("top/b", [])]))
        #expect(names == ["a", "b"])
        #expect(try Data(contentsOf: directory.url.appendingPathComponent("out/a")) == Data(big))
    }

    @Test(arguments: [1, 7, 511, 512, 513, 4096])
    func piecesOfAnySizeGiveTheSameEntries(pieceSize: Int) throws {
        let first = (0..<1300).map { UInt8(truncatingIfNeeded: $0) }
        let archive = tarArchive([tarEntry("top/a", first), tarEntry("top/", type: "5"), tarEntry("top/b", [5, 6])])
        var reader = TarReader(archiveName: "test.tar", limits: ResourceLimits())
        var entries: [TarEntry] = [], contents: [[UInt8]] = [], ends = 0
        try archive.withUnsafeBytes { bytes in
            for start in stride(from: 0, to: bytes.count, by: pieceSize) {
                let piece = UnsafeRawBufferPointer(rebasing: bytes[start..<min(start + pieceSize, bytes.count)])
                try reader.consume(piece) { event in
                    switch event {
                    case .entry(let entry): entries.append(entry); contents.append([])
                    case .content(let data): contents[contents.count - 1] += data
                    case .entryEnd: ends += 1
                    }
                }
            }
        }
        try reader.finish()
        #expect(entries == [TarEntry(path: "top/a", size: 1300, kind: .file), TarEntry(path: "top", size: 0, kind: .folder),
                            TarEntry(path: "top/b", size: 2, kind: .file)])
        #expect(contents == [first, [], [5, 6]] && ends == 3)
    }

    @Test func readsArchivesMadeByTheSystemTar() throws {
        let directory = try TemporaryDirectory()
        let top = directory.url.appendingPathComponent("top")
        try FileManager.default.createDirectory(at: top, withIntermediateDirectories: true)
        let a = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try Data(a).write(to: top.appendingPathComponent("a"))
        try Data("b".utf8).write(to: top.appendingPathComponent("b"))
        let archive = directory.url.appendingPathComponent("made-by-tar.tar.gz")
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-czf", archive.path, "-C", directory.url.path, "top"]
        try tar.run()
        tar.waitUntilExit()
        let out = directory.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try TarArchive.extract(archive, folder: "top", members: ["a", "b"], into: out)
        #expect(try Data(contentsOf: out.appendingPathComponent("a")) == Data(a))
        #expect(try String(contentsOf: out.appendingPathComponent("b"), encoding: .utf8) == "b")
    }

    @Test(arguments: [
        (tarEntry("top/a", [1], type: "2", linkName: "/etc/passwd"), "is a link"),
        (tarEntry("top/a", [1], type: "1", linkName: "top/b"), "is a link"),
        (tarEntry("top/../a", [1]), "points outside"),
        (tarEntry("/top/a", [1]), "points outside"),
        (tarEntry("top/a", [1], type: "3"), "not a plain file or folder"),
        (tarEntry("top/a", [1], corruptChecksum: true), "bad header checksum"),
    ])
    func hostileEntriesAreRefused(entry: [UInt8], expected: String) throws {
        let error = #expect(throws: DatasetError.self) { _ = try extract(tarArchive([entry, tarEntry("top/b", [2])])) }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("archive.tar.gz") == true)
    }

    @Test func sizesCountsAndTruncationAreBounded() throws {
        var limits = ResourceLimits()
        limits.maxArchiveEntryBytes = 1000
        let tooBig = #expect(throws: DatasetError.self) {
            _ = try extract(tarArchive([tarEntry("top/a", [UInt8](repeating: 1, count: 1001)), tarEntry("top/b")]), limits: limits)
        }
        #expect(tooBig?.description.contains("1001 bytes, more than the limit of 1000") == true, "\(String(describing: tooBig))")
        limits = ResourceLimits()
        limits.maxArchiveEntries = 3
        let tooMany = #expect(throws: DatasetError.self) {
            _ = try extract(tarArchive((0..<4).map { tarEntry("top/x\($0)") }), limits: limits)
        }
        #expect(tooMany?.description.contains("more than 3 entries") == true, "\(String(describing: tooMany))")
        let whole = tarArchive([tarEntry("top/a", [UInt8](repeating: 1, count: 700)), tarEntry("top/b", [2])])
        let cut = #expect(throws: DatasetError.self) { _ = try extract(Array(whole.prefix(600))) }
        #expect(cut?.description.contains("truncated tar archive") == true, "\(String(describing: cut))")
        let missing = #expect(throws: DatasetError.self) { _ = try extract(tarArchive([tarEntry("top/a", [1])])) }
        #expect(missing?.description.contains("has no top/b") == true, "\(String(describing: missing))")
        let twice = #expect(throws: DatasetError.self) {
            _ = try extract(tarArchive([tarEntry("top/a", [1]), tarEntry("top/a", [2]), tarEntry("top/b")]))
        }
        #expect(twice?.description.contains("holds top/a twice") == true, "\(String(describing: twice))")
    }
}
