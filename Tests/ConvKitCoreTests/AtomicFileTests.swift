import ConvKitCore
import Foundation
import Testing

@Suite struct AtomicFileTests {
    @Test func staleTemporariesOfTheTargetGoAndNothingElseDoes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-atomic-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("last.safetensors")
        // Process ids are below 2^22 on Linux, so 2^30 is never running; this process is.
        let dead = ".last.safetensors.convkit-partial-1073741824-7", alive = ".last.safetensors.convkit-partial-\(getpid())-8"
        let others = [".metrics.json.convkit-partial-1073741824-9", ".dat.nosync2E89.YCkq3b", "last.safetensors.bak", "notes.txt"]
        for name in [dead, alive] + others { try Data("x".utf8).write(to: folder.appendingPathComponent(name)) }

        try AtomicFile.write(Data("new".utf8), to: target)

        let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        #expect(left == Set([alive, "last.safetensors"] + others))
        #expect(try Data(contentsOf: target) == Data("new".utf8))
    }

    @Test func abandonedFoundationTemporariesGoButFreshOnesStay() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-atomic-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let abandoned = ".dat.nosync2E89.YCkq3b", fresh = ".dat.nosync2E8A.Qx01ab", others = ["dat.nosync.txt", "notes.txt"]
        for name in [abandoned, fresh] + others { try Data("x".utf8).write(to: folder.appendingPathComponent(name)) }
        for name in [abandoned] + others {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7_200)],
                                                  ofItemAtPath: folder.appendingPathComponent(name).path)
        }

        AtomicFile.removeAbandonedFoundationTemporaries(in: folder)

        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == Set([fresh] + others))
    }

    @Test func aFailedWriteKeepsTheOldFileAndLeavesNoTemporary() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-atomic-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Renaming a file over a non-empty folder fails after the temporary was written.
        let target = folder.appendingPathComponent("busy")
        try FileManager.default.createDirectory(at: target.appendingPathComponent("inside"), withIntermediateDirectories: true)
        let error = #expect(throws: FileWriteError.self) { try AtomicFile.write(Data("new".utf8), to: target) }
        #expect(error?.description.hasPrefix("cannot write \(target.path): ") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["busy"])
    }
}
