@testable import ConvKitData
import ConvKitTestSupport
import Foundation
import Testing

@Suite struct SHA256Tests {
    @Test func knownDigests() {
        #expect(SHA256.hexDigest(of: []) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hexDigest(of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func feedingInPiecesGivesTheSameDigest() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var hasher = SHA256()
        for piece in [0..<1, 1..<63, 63..<64, 64..<200, 200..<1000] { hasher.update(bytes[piece]) }
        #expect(SHA256.hex(hasher.finalize()) == SHA256.hexDigest(of: bytes))
    }

    @Test func fileDigestReadsTheWholeFile() throws {
        let directory = try TemporaryDirectory()
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        try directory.write("big", bytes)
        #expect(try SHA256.hexDigest(ofFileAt: directory.url.appendingPathComponent("big")) == SHA256.hexDigest(of: bytes))
    }
}

/// The process id of a process that has exited, as a killed download leaves in its temporary's name.
func deadProcessID() throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    return process.processIdentifier
}

@Suite struct VerifiedDownloadTests {
    static let payload = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
    static let digest = SHA256.hexDigest(of: payload)
    static let settings = VerifiedDownload.Settings(mirrorVariable: "TEST_MIRROR", folderHint: "set TEST_FOLDER")

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-download-\(UUID().uuidString)")

    func leftovers() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] }

    @Test(arguments: [8, 64])
    func completeDownloadIsVerifiedAndKept(digestLength: Int) throws {
        let server = try LocalHTTPServer(routes: ["/net.pth": .body(Self.payload)])
        defer { try? FileManager.default.removeItem(at: folder) }
        let destination = folder.appendingPathComponent("net.pth")
        let lastReport = Reports()
        try VerifiedDownload.fetch(server.baseURL.appendingPathComponent("net.pth"), to: destination,
                                   sha256: String(Self.digest.prefix(digestLength)), settings: Self.settings,
                                   progress: lastReport.record)
        #expect(try Data(contentsOf: destination) == Self.payload)
        #expect(leftovers() == [destination.lastPathComponent])
        #expect(lastReport.last?.0 == Int64(Self.payload.count) && lastReport.last?.1 == Int64(Self.payload.count))
    }

    @Test func corruptedDownloadIsRefusedAndRemoved() throws {
        var corrupted = Self.payload
        corrupted[1000] ^= 0xFF
        let server = try LocalHTTPServer(routes: ["/net.pth": .body(corrupted)])
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = #expect(throws: DownloadError.self) {
            try VerifiedDownload.fetch(server.baseURL.appendingPathComponent("net.pth"), to: folder.appendingPathComponent("net.pth"),
                                       sha256: Self.digest, settings: Self.settings)
        }
        let message = error?.description ?? ""
        #expect(message.hasPrefix("SHA-256 of net.pth is \(SHA256.hexDigest(of: corrupted)), expected \(Self.digest); "
            + "the download was removed"), "\(message)")
        #expect(leftovers().isEmpty)
    }

    @Test func truncatedTransferSaysHowMuchArrived() throws {
        let server = try LocalHTTPServer(routes: ["/cut.pth": .truncated(Self.payload.prefix(100_000), announcedLength: Self.payload.count)])
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = server.baseURL.appendingPathComponent("cut.pth")
        let error = #expect(throws: DownloadError.self) {
            try VerifiedDownload.fetch(url, to: folder.appendingPathComponent("cut.pth"), sha256: nil, settings: Self.settings)
        }
        #expect(error?.description.contains("\(url.absoluteString) stopped early: got 100000 of 300000 bytes") == true,
                "\(String(describing: error))")
        #expect(leftovers().isEmpty)
    }

    @Test func stalledTransferNamesTheURLAndTheWait() throws {
        let server = try LocalHTTPServer(routes: ["/slow.pth": .stalled(Self.payload.prefix(1000), announcedLength: Self.payload.count)])
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = server.baseURL.appendingPathComponent("slow.pth")
        var settings = Self.settings
        settings.stallTimeout = 1
        let error = #expect(throws: DownloadError.self) {
            try VerifiedDownload.fetch(url, to: folder.appendingPathComponent("slow.pth"), sha256: nil, settings: settings)
        }
        #expect(error?.description.hasPrefix("no data from \(url.absoluteString) for 1 s (got 1000 of 300000 bytes)") == true,
                "\(String(describing: error))")
        #expect(!(error?.description.contains("NSURLErrorDomain") ?? true))
        #expect(leftovers().isEmpty)
    }

    @Test func aSlowButSteadyTransferIsNotCutOff() throws {
        let server = try LocalHTTPServer(routes: ["/slow.pth": .trickled(Self.payload, pieces: 5, pause: 0.4)])
        defer { try? FileManager.default.removeItem(at: folder) }
        var settings = Self.settings
        settings.stallTimeout = 1
        try VerifiedDownload.fetch(server.baseURL.appendingPathComponent("slow.pth"), to: folder.appendingPathComponent("slow.pth"),
                                   sha256: Self.digest, settings: settings)
        #expect(leftovers() == ["slow.pth"])
    }

    @Test func serverErrorsAndUnreachableServersAreReported() throws {
        let server = try LocalHTTPServer(routes: [:])
        defer { try? FileManager.default.removeItem(at: folder) }
        let absent = server.baseURL.appendingPathComponent("absent.pth")
        let missing = #expect(throws: DownloadError.self) {
            try VerifiedDownload.fetch(absent, to: folder.appendingPathComponent("absent.pth"), sha256: nil, settings: Self.settings)
        }
        #expect(missing?.description == "server answered 404 for \(absent.absoluteString); check TEST_MIRROR")
        server.stop()
        let refused = #expect(throws: DownloadError.self) {
            try VerifiedDownload.fetch(absent, to: folder.appendingPathComponent("absent.pth"), sha256: nil, settings: Self.settings)
        }
        #expect(refused?.description.hasPrefix("cannot connect to 127.0.0.1:\(server.port) for \(absent.absoluteString)") == true,
                "\(String(describing: refused))")
        #expect(leftovers().isEmpty)
    }

    @Test func aFolderThatCannotBeCreatedIsNamed() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-not-a-folder-\(UUID())")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let error = #expect(throws: DownloadError.self) {
            try VerifiedDownload.fetch(URL(string: "http://127.0.0.1:9/x")!, to: file.appendingPathComponent("sub/x"),
                                       sha256: nil, settings: Self.settings)
        }
        #expect(error?.description.hasPrefix("cannot create \(file.path)/sub") == true, "\(String(describing: error))")
        #expect(error?.description.hasSuffix("check its permissions or set TEST_FOLDER") == true)
    }

    @Test func temporariesOfKilledRunsAreRemovedAndLiveOnesKept() throws {
        let server = try LocalHTTPServer(routes: ["/net.pth": .body(Self.payload)])
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let stale = ".net.pth.\(try deadProcessID()).partial", live = ".net.pth.1.partial", other = ".other.pth.99999999.partial"
        for name in [stale, live, other] { try Data("old".utf8).write(to: folder.appendingPathComponent(name)) }
        try VerifiedDownload.fetch(server.baseURL.appendingPathComponent("net.pth"), to: folder.appendingPathComponent("net.pth"),
                                   sha256: Self.digest, settings: Self.settings)
        #expect(Set(leftovers()) == ["net.pth", live, other])
    }
}

/// Collects progress reports, which arrive on URLSession's queue.
final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [(Int64, Int64?)] = []
    var last: (Int64, Int64?)? { lock.withLock { reports.last } }
    func record(_ received: Int64, _ expected: Int64?) { lock.withLock { reports.append((received, expected)) } }
}
