import ConvKitInterop
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

    @Test func hashPrefixComesFromTorchvisionFileNames() {
        #expect(CheckpointDownload.sha256Prefix(inFileName: "resnet18-f37072fd.pth") == "f37072fd")
        #expect(CheckpointDownload.sha256Prefix(inFileName: "alexnet-owt-7be5be79.pth") == "7be5be79")
        #expect(CheckpointDownload.sha256Prefix(inFileName: "my-weights.pth") == nil)
        #expect(CheckpointDownload.sha256Prefix(inFileName: "weights.pth") == nil)
    }
}

@Suite struct CheckpointDownloadTests {
    static let payload = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
    static let prefix = String(SHA256.hexDigest(of: payload).prefix(8))

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-download-\(UUID().uuidString)")

    func leftovers() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] }

    @Test func completeDownloadIsVerifiedAndKept() throws {
        let server = try LocalHTTPServer(routes: ["/net-\(Self.prefix).pth": .body(Self.payload)])
        defer { try? FileManager.default.removeItem(at: folder) }
        let destination = folder.appendingPathComponent("net-\(Self.prefix).pth")
        let lastReport = Reports()
        try CheckpointDownload.fetch(server.baseURL.appendingPathComponent("net-\(Self.prefix).pth"), to: destination,
                                     sha256Prefix: Self.prefix, progress: lastReport.record)
        #expect(try Data(contentsOf: destination) == Self.payload)
        #expect(leftovers() == [destination.lastPathComponent])
        #expect(lastReport.last?.0 == Int64(Self.payload.count) && lastReport.last?.1 == Int64(Self.payload.count))
    }

    @Test func corruptedDownloadIsRefusedAndRemoved() throws {
        var corrupted = Self.payload
        corrupted[1000] ^= 0xFF
        let server = try LocalHTTPServer(routes: ["/net-\(Self.prefix).pth": .body(corrupted)])
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = #expect(throws: DownloadError.self) {
            try CheckpointDownload.fetch(server.baseURL.appendingPathComponent("net-\(Self.prefix).pth"),
                                         to: folder.appendingPathComponent("net-\(Self.prefix).pth"), sha256Prefix: Self.prefix)
        }
        #expect(error?.description.contains("does not start with \(Self.prefix)") == true, "\(String(describing: error))")
        #expect(leftovers().isEmpty)
    }

    @Test func interruptedDownloadLeavesNothing() throws {
        let half = Self.payload.prefix(100_000)
        let server = try LocalHTTPServer(routes: ["/cut.pth": .truncated(Data(half), announcedLength: Self.payload.count)])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: DownloadError.self) {
            try CheckpointDownload.fetch(server.baseURL.appendingPathComponent("cut.pth"),
                                         to: folder.appendingPathComponent("cut.pth"), sha256Prefix: nil)
        }
        #expect(leftovers().isEmpty)
    }

    @Test func serverErrorsAndUnreachableServersAreReported() throws {
        let server = try LocalHTTPServer(routes: [:])
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = #expect(throws: DownloadError.self) {
            try CheckpointDownload.fetch(server.baseURL.appendingPathComponent("absent.pth"),
                                         to: folder.appendingPathComponent("absent.pth"), sha256Prefix: nil)
        }
        #expect(missing?.description.contains("HTTP 404") == true, "\(String(describing: missing))")
        let closedPort = server.baseURL
        server.stop()
        #expect(throws: DownloadError.self) {
            try CheckpointDownload.fetch(closedPort.appendingPathComponent("absent.pth"),
                                         to: folder.appendingPathComponent("absent.pth"), sha256Prefix: nil, timeout: 5)
        }
        #expect(leftovers().isEmpty)
    }
}

/// Collects progress reports, which arrive on URLSession's queue.
private final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [(Int64, Int64?)] = []
    var last: (Int64, Int64?)? { lock.withLock { reports.last } }
    func record(_ received: Int64, _ expected: Int64?) { lock.withLock { reports.append((received, expected)) } }
}
