import ConvKitCore
import Foundation
import Testing

@Suite struct ErrorMessageTests {
    func line(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return ErrorMessage.line(for: error) }
        return nil
    }

    @Test func fileErrorsNameThePathAndTheReason() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-errors-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("file")
        try Data([1]).write(to: file)

        #expect(line { _ = try Data(contentsOf: folder.appendingPathComponent("missing")) }
            == "cannot read \(folder.path)/missing: No such file or directory")
        #expect(line { _ = try FileManager.default.contentsOfDirectory(atPath: folder.path + "/missing") }
            == "cannot read \(folder.path)/missing: No such file or directory")
        #expect(line { try FileManager.default.createDirectory(at: file.appendingPathComponent("run"), withIntermediateDirectories: true) }
            == "cannot write \(file.path)/run: Not a directory")
        #expect(line { try Data([1]).write(to: file.appendingPathComponent("out.png"), options: .atomic) }
            == "cannot write \(file.path)/out.png: \(file.path) is a file, not a folder")
        #expect(line { try Data([1]).write(to: folder.appendingPathComponent("a/b/out.png"), options: .atomic) }
            == "cannot write \(folder.path)/a/b/out.png: No such file or directory")
        // A relative URL is named by its absolute path, not as `rel -- file:///cwd/`.
        let relative = try #require(line {
            _ = try FileManager.default.contentsOfDirectory(at: URL(fileURLWithPath: "missing-\(UUID())"), includingPropertiesForKeys: nil)
        })
        #expect(relative.hasPrefix("cannot read \(FileManager.default.currentDirectoryPath)/missing-"), "\(relative)")
    }

    @Test func diskFullAndReadOnlyReadAsTheSystemSaysThem() throws {
        if FileManager.default.fileExists(atPath: "/dev/full") {
            // Not atomic: an atomic write would create its temporary file in /dev instead.
            #expect(line { try Data([1]).write(to: URL(fileURLWithPath: "/dev/full")) }
                == "cannot write /dev/full: No space left on device")
        }
        for (code, posix, reason) in [(CocoaError.fileWriteVolumeReadOnly, EROFS, "Read-only file system"),
                                      (.fileWriteNoPermission, EACCES, "Permission denied"),
                                      (.fileWriteOutOfSpace, ENOSPC, "No space left on device")] {
            let underlying = NSError(domain: NSPOSIXErrorDomain, code: Int(posix))
            let error = CocoaError(code, userInfo: [NSFilePathErrorKey: "/runs/a", NSUnderlyingErrorKey: underlying])
            #expect(ErrorMessage.line(for: error) == "cannot write /runs/a: \(reason)")
            #expect(ErrorMessage.line(for: CocoaError(code, userInfo: [NSFilePathErrorKey: "/runs/a"]))
                == "cannot write /runs/a: \(reason)")
        }
    }

    @Test func otherErrorsAreOneLineToo() throws {
        #expect(ErrorMessage.line(for: TensorError("shapes [2] and [3] differ")) == "shapes [2] and [3] differ")
        let url = try #require(URL(string: "http://localhost:9/x.pth"))
        let refused = URLError(.cannotConnectToHost, userInfo: [NSURLErrorFailingURLErrorKey: url])
        #expect(ErrorMessage.line(for: refused) == "http://localhost:9/x.pth: could not connect to the server")
        #expect(ErrorMessage.line(for: POSIXError(.EACCES)) == "Permission denied")
        let decoding = line { _ = try JSONDecoder().decode([String: [Int]].self, from: Data(#"{"a": ["x"]}"#.utf8)) }
        #expect(decoding?.hasPrefix("invalid data at a.Index 0: ") == true, "\(decoding ?? "")")
        let json = line { _ = try JSONSerialization.jsonObject(with: Data("{x".utf8)) }
        #expect(json?.contains("Domain=") == false && json?.contains("character") == true, "\(json ?? "")")
    }
}
