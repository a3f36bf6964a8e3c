import ConvKitTestSupport
import Foundation
import Testing

@Suite struct DataCommandTests {
    @Test func fetchReportsA404AsOneLineAndExitsWithOne() throws {
        let server = try LocalHTTPServer(routes: [:])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-data-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try convkit("data", "fetch", "mnist", "--data-dir", folder.path,
                                 environment: ["CONVKIT_DATA_MIRROR": server.baseURL.absoluteString])
        #expect(result.status == 1, "\(result.output)")
        let errors = result.output.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(errors == ["Error: server answered 404 for \(server.baseURL.absoluteString)mnist/train-images-idx3-ubyte.gz; "
            + "check CONVKIT_DATA_MIRROR"], "\(result.output)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).isEmpty)
    }

    @Test func unknownNamesListTheKnownOnes() throws {
        let result = try convkit("data", "fetch", "imagenet")
        #expect(result.status != 0 && result.output.contains("known: mnist, fashion-mnist, cifar10, cifar100"), "\(result.output)")
    }

    @Test func listShowsWhereEachDatasetIsOrWouldGo() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-data-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let mnist = root.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: mnist, withIntermediateDirectories: true)
        try Data().write(to: mnist.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        let result = try convkit("data", "list", in: root, environment: ["CONVKIT_DATA": root.path])
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first { $0.hasPrefix("mnist ") } == "mnist          present  \(mnist.path)", "\(result.output)")
        #expect(lines.contains("cifar100       missing  (convkit data fetch cifar100 puts it in \(root.path)/cifar100)"),
                "\(result.output)")
    }
}
