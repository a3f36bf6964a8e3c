import ConvKitData
import ConvKitVision
import Foundation

/// Throughput of an augmentation pipeline on one thread (the data loader's producer),
/// from decoded images to transformed `[C, H, W]` floats; decoding is not timed.
public struct AugmentBenchmark {
    public let name: String
    public let spec: TransformSpec
    public let images: [PlanarImage]
    /// Samples per timed run.
    public let samples: Int

    public init(name: String, spec: String, images: [PlanarImage], samples: Int) throws {
        guard !images.isEmpty else { throw TransformError("\(name): no images to augment") }
        (self.name, self.spec, self.images, self.samples) = (name, try TransformSpec(spec), images, samples)
    }

    /// The ImageNet-style training pipeline on photos.
    public static let photoSpec = "randomresizedcrop(224);hflip(0.5);colorjitter(0.4,0.4,0.4,0.1);normalize(imagenet)"
    /// A digit pipeline on 28x28 gray images.
    public static let digitSpec = "randomcrop(28,padding=2);affine(10,translate=0.1,scale=0.9-1.1)"

    /// The PNG and JPEG photos in `folder`, decoded to RGB.
    public static func photos(in folder: URL) throws -> [PlanarImage] {
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { ["png", "jpg", "jpeg"].contains($0.pathExtension.lowercased()) }
            .sorted { $0.path < $1.path }
        guard !files.isEmpty else { throw TransformError("no PNG or JPEG files in \(folder.path)") }
        return try files.map { PlanarImage(try Image(contentsOf: $0).rgb()) }
    }

    /// The first `limit` MNIST training digits in `directory`, scaled to 0...1.
    public static func digits(inMNIST directory: URL, limit: Int) throws -> [PlanarImage] {
        let digits = try DatasetName.mnist.load(split: .train, directory: directory)
        let side = 28, plane = side * side
        return try (0..<min(limit, digits.count)).map { index in
            let pixels = digits.pixels[(index * plane)..<((index + 1) * plane)]
            return try PlanarImage(channels: 1, height: side, width: side, values: pixels.map { Float($0) / 255 })
        }
    }

    /// Images made in memory, for when no files are given: diagonal color gradients under
    /// seeded noise. A pipeline's cost depends on the image size, not on what it shows,
    /// so these time the same work as photos or digits of that size.
    public static func syntheticImages(count: Int, channels: Int, height: Int, width: Int,
                                       seed: UInt64 = 0) throws -> [PlanarImage] {
        var generator = RandomGenerator(seed: seed)
        return try (0..<count).map { index in
            var values = [Float](repeating: 0, count: channels * height * width)
            for channel in 0..<channels {
                let phase = Float(index + channel) / Float(count + channels)
                for y in 0..<height {
                    for x in 0..<width {
                        let gradient = (Float(x) / Float(width) + Float(y) / Float(height)) / 2
                        let value = (gradient + phase).truncatingRemainder(dividingBy: 1)
                        values[(channel * height + y) * width + x] = min(1, max(0, value + 0.05 * generator.nextNormal()))
                    }
                }
            }
            return try PlanarImage(channels: channels, height: height, width: width, values: values)
        }
    }

    /// Median images per second over `repeats` runs; each sample gets its own seeded generator, as in the loader.
    public func imagesPerSecond(repeats: Int) throws -> Double {
        let pipeline = AugmentationPipeline(spec.transform, seed: 0)
        var epoch = 0
        let seconds = try medianSeconds(warmup: 1, repeats: repeats) {
            epoch += 1
            for index in 0..<samples { _ = try pipeline(images[index % images.count], epoch: epoch, index: index) }
        }
        return Double(samples) / seconds
    }
}
