import ConvKitTestSupport
import Foundation
import Testing

/// Headless Chromium, if installed (Debian's `chromium` package; scripts/setup installs it).
let installedChromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

/// Runs a program and returns its exit status and standard output (standard error is dropped).
func runProgram(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}

@Suite(.serialized) struct InspectTests {
    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-inspect-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    func isPNG(_ url: URL) -> Bool {
        (try? Data(contentsOf: url).prefix(8)) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    @Test func saliencyFiltersAndActivationsWritePictures() throws {
        let weights = try TestAssets.efficientNetLite0Weights().path, chelsea = try TestAssets.photo("chelsea.png").path
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let map = folder.appendingPathComponent("map.npy")
        let vanilla = try convkit("saliency", "--model", "efficientnet_lite0", "--weights", weights, "--image", chelsea,
                                  "--out", folder.appendingPathComponent("vanilla.png").path, "--npy-out", map.path)
        #expect(vanilla.status == 0 && vanilla.output.contains("cat"), "\(vanilla.output)")
        #expect(isPNG(folder.appendingPathComponent("vanilla.png")))
        // .npy header: the H x W map.
        let header = String(decoding: try Data(contentsOf: map).prefix(128), as: UTF8.self)
        #expect(header.contains("'shape': (224, 224)"), "\(header)")

        let cam = try convkit("saliency", "--model", "efficientnet_lite0", "--weights", weights, "--image", chelsea,
                              "--method", "gradcam", "--layer", "_blocks.15", "--out", folder.appendingPathComponent("cam.png").path)
        #expect(cam.status == 0 && isPNG(folder.appendingPathComponent("cam.png")), "\(cam.output)")

        let filters = try convkit("filters", "--model", "efficientnet_lite0", "--weights", weights,
                                  "--layer", "_conv_stem", "--out", folder.appendingPathComponent("filters.png").path)
        #expect(filters.status == 0 && filters.output.contains("[32, 3, 3, 3]"), "\(filters.output)")
        let maps = try convkit("activations", "--model", "efficientnet_lite0", "--weights", weights, "--image", chelsea,
                               "--layer", "_blocks.0", "--out", folder.appendingPathComponent("maps.png").path)
        #expect(maps.status == 0 && isPNG(folder.appendingPathComponent("maps.png")), "\(maps.output)")
    }

    @Test func badLayersAndTargetsExplainThemselves() throws {
        let weights = try TestAssets.efficientNetLite0Weights().path, picture = try GeneratedInputs.picture("scene.png")
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("x.png").path
        let layer = try convkit("saliency", "--model", "efficientnet_lite0", "--weights", weights, "--image", picture,
                                "--method", "gradcam", "--layer", "layer4", "--out", out)
        #expect(layer.status != 0 && layer.output.contains("no layer 'layer4'") && layer.output.contains("_conv_head"), "\(layer.output)")
        let target = try convkit("saliency", "--model", "efficientnet_lite0", "--weights", weights, "--image", picture,
                                 "--target", "1000", "--out", out)
        #expect(target.status != 0 && target.output.contains("1000 classes"), "\(target.output)")
        let notConv = try convkit("filters", "--model", "efficientnet_lite0", "--weights", weights, "--layer", "_bn0", "--out", out)
        #expect(notConv.status != 0 && notConv.output.contains("not a convolution"), "\(notConv.output)")
        let method = try convkit("saliency", "--model", "efficientnet_lite0", "--weights", weights, "--image", picture,
                                 "--method", "occlusion", "--out", out)
        #expect(method.status != 0 && method.output.contains("integrated-gradients"), "\(method.output)")
    }

    /// Marks the page with how many images there are and how many failed to decode, once loaded.
    static let probe = """
        <script>window.addEventListener('load', () => {
          const images = [...document.images];
          document.body.dataset.images = images.length;
          document.body.dataset.broken = images.filter(i => !i.complete || i.naturalWidth === 0).length;
        });</script>
        """

    /// `(images, broken)` as Chromium counted them in `html`.
    func imageCounts(_ html: String, in folder: URL, chromium: String) throws -> (images: Int, broken: Int)? {
        let page = folder.appendingPathComponent("probe-\(UUID()).html")
        try html.replacingOccurrences(of: "</body>", with: Self.probe + "</body>").write(to: page, atomically: true, encoding: .utf8)
        let dom = try runProgram(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
                                            "--dump-dom", page.absoluteString]).output
        func attribute(_ name: String) -> Int? {
            guard let range = dom.range(of: "data-\(name)=\"") else { return nil }
            return Int(dom[range.upperBound...].prefix { $0.isNumber })
        }
        guard let images = attribute("images"), let broken = attribute("broken") else { return nil }
        return (images, broken)
    }

    @Test func trainWritesAReportThatChromiumRendersWithoutBrokenImages() throws {
        let chromium = try #require(installedChromium, "chromium is not installed: run scripts/setup (installs it with apt-get)")
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run")
        let train = try convkit("train", "--model", "lenet5", "--dataset", "mnist", "--data-dir", mnistDirectory,
                                "--epochs", "1", "--limit-train", "256", "--batch-size", "32", "--out", run.path)
        #expect(train.status == 0 && train.output.contains("report.html"), "\(train.output)")
        let html = try String(contentsOf: run.appendingPathComponent("report.html"), encoding: .utf8)
        for section in ["Configuration", "Training curves", "Confusion matrix", "Most confused pairs", "First-layer filters",
                        "Grad-CAM", "Misclassified examples"] {
            #expect(html.contains(section), "missing section \(section)")
        }
        for reference in ["src=\"http", "href=\"http", "url(http", "<link", "@import"] {
            #expect(!html.contains(reference), "nothing may be fetched from the network: found \(reference)")
        }
        #expect(html.components(separatedBy: "<svg").count - 1 == 3, "two curves and the confusion matrix")
        let expectedImages = html.components(separatedBy: "<img").count - 1
        #expect(expectedImages >= 1 + 3 * 4, "filters and three pictures per explained image")

        let counts = try #require(try imageCounts(html, in: folder, chromium: chromium), "chromium did not report the image counts")
        #expect(counts.images == expectedImages && counts.broken == 0, "\(counts)")
        // The probe notices a broken picture.
        let damaged = html.replacingOccurrences(of: "base64,iVBOR", with: "base64,AAAA")
        let damagedCounts = try #require(try imageCounts(damaged, in: folder, chromium: chromium))
        #expect(damagedCounts.broken == damagedCounts.images)

        let screenshot = folder.appendingPathComponent("report.png")
        let shot = try runProgram(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                             "--screenshot=\(screenshot.path)", "--window-size=1200,2400",
                                             run.appendingPathComponent("report.html").absoluteString])
        #expect(shot.status == 0 && isPNG(screenshot))

        let again = try convkit("report", run.path, "--out", folder.appendingPathComponent("again.html").path, "--limit-test", "200")
        #expect(again.status == 0 && again.output.contains("again.html"), "\(again.output)")
        let missing = try convkit("report", folder.path)
        #expect(missing.status != 0 && missing.output.contains("no last.safetensors"), "\(missing.output)")
    }
}
