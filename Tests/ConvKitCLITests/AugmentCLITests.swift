import ConvKitVision
import Foundation
import Testing

@Suite(.serialized) struct AugmentCLITests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-augment-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func grid(_ name: String, seed: Int, spec: String = "randomresizedcrop(48,scale=0.3-1);hflip;colorjitter(0.4,0.4,0.4,0.1)")
        throws -> Data {
        let out = folder.appendingPathComponent(name).path
        let result = try convkit("augment", "--image", GeneratedInputs.picture("scene.png"), "--transforms", spec, "--n", "6", "--seed", "\(seed)",
                                 "--columns", "3", "--out", out)
        #expect(result.status == 0, "\(result.output)")
        return try Data(contentsOf: URL(fileURLWithPath: out))
    }

    @Test func writesASeededGridOfDistinctTiles() throws {
        let first = try grid("a.png", seed: 1)
        #expect(try grid("b.png", seed: 1) == first, "the same seed must give the same file")
        #expect(try grid("c.png", seed: 2) != first)
        // TileGrid's layout: an 8-pixel margin, a legend of 20-pixel lines (the seed line and one per step),
        // then 48-pixel tiles in cells 51 wide and 61 high (3-pixel gap, 10-pixel caption).
        func tiles(_ data: Data, legendLines: Int) throws -> [[UInt8]] {
            let image = try Image(data: data), top = 8 + legendLines * 20
            #expect(image.height == top + 2 * 61 + 8)
            return (0..<6).map { index in
                let (left, y0) = (8 + (index % 3) * 51, top + (index / 3) * 61)
                var pixels: [UInt8] = []
                for y in y0..<(y0 + 48) {
                    let start = (y * image.width + left) * 3
                    pixels += image.pixels[start..<(start + 48 * 3)]
                }
                return pixels
            }
        }
        let firstTiles = try tiles(first, legendLines: 4)
        #expect(Set(firstTiles).count == 6, "every augmented tile should differ")
        // Undoing normalize draws the same colors as without it (the legend gains a line).
        let normalized = try grid("d.png", seed: 1, spec: "randomresizedcrop(48,scale=0.3-1);hflip;colorjitter(0.4,0.4,0.4,0.1);"
            + "normalize(imagenet)")
        #expect(try tiles(normalized, legendLines: 5) == firstTiles)
    }

    @Test func badSpecsListTheKnownTransforms() throws {
        let unknown = try convkit("augment", "--image", GeneratedInputs.picture("scene.png"), "--transforms", "hflip;twirl(3)",
                                  "--out", folder.appendingPathComponent("x.png").path)
        #expect(unknown.status != 0 && unknown.output.contains("unknown transform 'twirl'; known: resize, centercrop"))
        let help = try convkit("augment", "--help")
        #expect(help.output.contains("randomresizedcrop(size, scale=0.08-1"))
        let normalized = try convkit("train", "--dataset", "mnist", "--data-dir", mnistDirectory, "--augment", "normalize(imagenet)",
                                     "--out", folder.path)
        #expect(normalized.status != 0 && normalized.output.contains("--augment must not normalize"))
        let reshaped = try convkit("train", "--dataset", "mnist", "--data-dir", mnistDirectory, "--augment", "randomcrop(24)",
                                   "--out", folder.path)
        #expect(reshaped.status != 0 && reshaped.output.contains("test images are not augmented"))
        // A size that only some random draws change surfaces mid-epoch, from the loader's thread.
        let sometimesSmaller = try convkit("train", "--dataset", "mnist", "--data-dir", mnistDirectory, "--limit-train", "256",
                                           "--limit-test", "10", "--augment", "randomchoice(resize(20),resize(28))",
                                           "--no-report", "--out", folder.appendingPathComponent("flaky").path)
        #expect(sometimesSmaller.status != 0
                && sometimesSmaller.output.contains("the shape [1, 20, 20], not [1, 28, 28] as the first example"))
    }

    @Test func trainsWithAugmentationAndMixUp() throws {
        let run = folder.appendingPathComponent("run")
        let result = try convkit("train", "--model", "lenet5", "--dataset", "mnist", "--data-dir", mnistDirectory,
                                 "--epochs", "1", "--limit-train", "64", "--batch-size", "32", "--no-report", "--out", run.path,
                                 "--augment", "randomcrop(28,padding=2);affine(10,translate=0.1);mixup(0.2)")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("augmented by randomcrop(28x28,padding=2"))
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("metrics.json")))
        #expect((metrics as? [[String: Any]])?.count == 1)
    }
}
