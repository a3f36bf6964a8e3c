import ConvKitVision
import Foundation
import Testing

/// What README.md says that no command checks (`scripts/check-readme` runs its commands).
@Suite struct ReadmeTests {
    /// The README of the package these tests were compiled from.
    func readme() throws -> String {
        let folders = sequence(first: URL(fileURLWithPath: #filePath).deletingLastPathComponent()) {
            $0.path == "/" ? nil : $0.deletingLastPathComponent()
        }
        let root = try #require(folders.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("Package.swift").path) },
                                "no Package.swift above \(#filePath)")
        return try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    }

    @Test func theModelListNamesEveryModelTheRegistryBuilds() throws {
        let paragraphs = try readme().components(separatedBy: "\n\n")
        let list = try #require(paragraphs.first { $0.hasPrefix("Models: ") }, "README.md has no paragraph starting 'Models: '")
        let missing = ModelRegistry.names.filter { !list.contains("`\($0)`") }
        #expect(missing.isEmpty, "README.md's model list lacks \(missing)")
    }
}
