import ArgumentParser
import ConvKitVision
import Foundation

struct Augment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply an augmentation pipeline to one image N times and write the results as a labeled grid.",
        discussion: "SPEC: " + TransformSpec.help
            + " Normalize steps are applied but undone for drawing; mixup and cutmix need a batch and are ignored here.")

    @Option(help: "A PNG or JPEG image.")
    var image: String

    @Option(help: "The pipeline: a SPEC string or a .json file (see below).")
    var transforms: String

    @Option(help: "Number of augmented copies.")
    var n = 16

    @Option(help: "Seed: the same seed gives the same grid.")
    var seed: UInt64 = 0

    @Option(help: "Tiles per row (default: about square).")
    var columns: Int?

    @Option(help: "Output grid image (.png, or .jpg).")
    var out = "augment.png"

    func run() throws {
        let limit = ResourceLimits.current.maxAugmentCount
        guard (1...limit).contains(n) else {
            throw ValidationError("--n must be between 1 and \(limit), got \(n) (raise CONVKIT_MAX_AUGMENT_COUNT for more)")
        }
        let spec = try TransformSpec(transforms)
        let source = PlanarImage(try Image(contentsOf: URL(fileURLWithPath: image)).droppingAlpha())
        let pipeline = AugmentationPipeline(spec.transform, seed: seed)
        let tiles = try (0..<n).map { index in
            let output = try pipeline(source, epoch: 0, index: index)
            return try spec.transform.undoingNormalization(output).image()
        }
        // The legend names the seed and each step, one per line; tiles are captioned with their sample index.
        let legend = ["\(n) samples, seed \(seed)"] + spec.transform.transforms.map(\.description)
        let columnCount = columns ?? Int(Double(n).squareRoot().rounded(.up))
        try TileGrid(legend: legend, tiles: tiles.enumerated().map { ($1, "\($0)") }, scale: 1, columns: columnCount)
            .render().write(to: URL(fileURLWithPath: out))
        print("wrote \(out): \(n) samples of \(spec) (seed \(seed))")
    }
}
