import ConvKitVision

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
