import ConvKitData
import ConvKitVision
import Foundation
import Testing

/// Random transforms: their parameter distributions and seeding.
@Suite struct RandomTransformTests {
    let photo: PlanarImage

    init() throws { photo = try fixtureImage("hflip") }

    @Test func flipRateIsP() throws {
        let flip = try RandomFlip(.horizontal, p: 0.3)
        let image = try PlanarImage(channels: 1, height: 1, width: 2, values: [0, 1])
        var generator = RandomGenerator(seed: 1)
        let flipped = try (0..<4000).filter { _ in try flip(image, using: &generator).values == [1, 0] }.count
        #expect(abs(Double(flipped) / 4000 - 0.3) < 0.03, "\(flipped) of 4000 flipped")  // about 4 standard errors
    }

    @Test func randomResizedCropStaysInItsScaleAndRatio() throws {
        let crop = try RandomResizedCrop(height: 8, width: 8, scale: 0.25...0.6, ratio: 0.5...2)
        var generator = RandomGenerator(seed: 2)
        var areas: [Double] = []
        for _ in 0..<1000 {
            let window = crop.window(imageHeight: 90, imageWidth: 120, using: &generator)
            let area = Double(window.height * window.width) / (90 * 120)
            areas.append(area)
            // Sides are rounded to whole pixels, which moves the area by at most about one row and column.
            #expect(area > 0.25 - 0.03 && area < 0.6 + 0.03, "area \(area)")
            let ratio = Double(window.width) / Double(window.height)
            #expect(ratio > 0.5 * 0.9 && ratio < 2 * 1.1, "ratio \(ratio)")
            #expect(window.top >= 0 && window.left >= 0 && window.top + window.height <= 90 && window.left + window.width <= 120)
        }
        let mean = areas.reduce(0, +) / Double(areas.count)
        #expect(abs(mean - 0.425) < 0.02, "mean area \(mean)")  // uniform in 0.25...0.6
    }

    @Test func randomCropCoversEveryOffset() throws {
        let crop = try RandomCrop(height: 20, width: 28, padding: 2)
        var generator = RandomGenerator(seed: 3)
        var corners = Set<Int>()
        for _ in 0..<2000 {
            let corner = crop.corner(imageHeight: 20, imageWidth: 28, using: &generator)
            corners.insert(corner.top * 10 + corner.left)
        }
        #expect(corners.count == 25)  // 5 x 5 positions in the padded 24x32 image
    }

    @Test func colorJitterFactorsStayInRange() throws {
        let jitter = try ColorJitter(brightness: 0.5)
        let gray = try PlanarImage(channels: 3, height: 1, width: 1, values: [0.5, 0.5, 0.5])
        var generator = RandomGenerator(seed: 4)
        let outputs = try (0..<2000).map { _ in try jitter(gray, using: &generator).values[0] }
        #expect(outputs.min()! >= 0.25 && outputs.max()! <= 0.75)
        #expect(outputs.min()! < 0.27 && outputs.max()! > 0.73)
    }

    @Test func affineParametersStayInRange() throws {
        let affine = try RandomAffine(degrees: 15, translate: (0.1, 0.2), scale: 0.9...1.1, shear: 5)
        var generator = RandomGenerator(seed: 5)
        for _ in 0..<500 {
            let p = affine.parameters(imageHeight: 20, imageWidth: 30, using: &generator)
            #expect(abs(p.angle) <= 15 && abs(p.translation.x) <= 3 && abs(p.translation.y) <= 4)
            #expect((0.9...1.1).contains(p.scale) && abs(p.shear.x) <= 5 && p.shear.y == 0)
        }
    }

    @Test func randomGrayscaleKeepsTheShape() throws {
        let gray = try Grayscale(outputChannels: 1, p: 0.5)
        var generator = RandomGenerator(seed: 11)
        let outputs = try (0..<40).map { _ in try gray(photo, using: &generator) }
        #expect(outputs.allSatisfy { $0.channels == 3 })
        #expect(outputs.contains { $0 == photo } && outputs.contains { $0 != photo })
        #expect(try Grayscale(outputChannels: 1)(photo, using: &generator).channels == 1)
    }

    @Test func erasingFillsAWindowInItsScale() throws {
        let erasing = try RandomErasing(p: 1, scale: 0.1...0.2, value: -1)
        var generator = RandomGenerator(seed: 6)
        for _ in 0..<200 {
            let erased = try erasing(photo, using: &generator)
            let fraction = Double(erased.values.filter { $0 == -1 }.count) / Double(photo.values.count)
            #expect(fraction > 0.07 && fraction < 0.24, "erased \(fraction)")
        }
    }

    @Test func aSeedReproducesASampleAndOthersDiffer() throws {
        let spec = try TransformSpec("randomresizedcrop(16,scale=0.3-1);hflip;colorjitter(0.4,0.4,0.4,0.1);"
            + "affine(10,translate=0.1);gaussianblur(3);noise(0.05);erasing(0.5)")
        let pipeline = AugmentationPipeline(spec.transform, seed: 7)
        let first = try pipeline(photo, epoch: 1, index: 5)
        #expect(try pipeline(photo, epoch: 1, index: 5) == first)
        #expect(try pipeline(photo, epoch: 2, index: 5) != first)
        #expect(try pipeline(photo, epoch: 1, index: 6) != first)
        #expect(try AugmentationPipeline(spec.transform, seed: 8)(photo, epoch: 1, index: 5) != first)
    }

    @Test func mixUpMixesImagesAndTargetsByTheSameLambda() throws {
        let images = Tensor((0..<(4 * 12)).map { Float($0 % 7) }, shape: [4, 3, 2, 2])
        let labels = Tensor(integers: [0, 2, 1, 2])
        var generator = RandomGenerator(seed: 9)
        let (mixed, targets) = try MixUp(alpha: 0.4)(images: images, labels: labels, classes: 3, using: &generator)
        let (x, y, t) = (images.scalars, mixed.scalars, targets.scalars)
        let lambda = t[0]  // example 0 (class 0) is mixed with example 3 (class 2)
        #expect(abs(t[2] - (1 - lambda)) < 1e-6)
        for offset in 0..<12 { #expect(abs(y[offset] - (lambda * x[offset] + (1 - lambda) * x[36 + offset])) < 1e-5) }
        for row in 0..<4 { #expect(abs(t[(row * 3)..<(row * 3 + 3)].reduce(0, +) - 1) < 1e-6) }
    }

    @Test func cutMixTargetsMatchThePastedArea() throws {
        let images = Tensor((0..<(2 * 1 * 10 * 10)).map { $0 < 100 ? 0 : 1 }, shape: [2, 1, 10, 10])
        var generator = RandomGenerator(seed: 10)
        for _ in 0..<20 {
            let (mixed, targets) = try CutMix(alpha: 1)(images: images, labels: Tensor(integers: [0, 1]), classes: 2,
                                                        using: &generator)
            let pasted = Float(mixed.scalars[0..<100].filter { $0 == 1 }.count) / 100
            #expect(abs(targets.scalars[1] - pasted) < 1e-6 && abs(targets.scalars[0] - (1 - pasted)) < 1e-6)
        }
    }

    @Test func loaderAugmentationIsSeededPerEpoch() throws {
        let dataset = try InMemoryImageDataset(pixels: (0..<(6 * 64)).map { UInt8($0 % 251) }, labels: [0, 1, 0, 1, 0, 1],
                                               exampleShape: [1, 8, 8], classNames: ["a", "b"])
        let pipeline = AugmentationPipeline(try TransformSpec("randomcrop(6,padding=1);hflip").transform, seed: 3)
        func batches(_ epoch: Int) throws -> [[Float]] {
            let loader = try DataLoader(dataset, batchSize: 4, shuffle: true, seed: 1, exampleTransform: pipeline)
            #expect(loader.exampleShape == [1, 6, 6])
            var batches: [[Float]] = []
            try loader.forEachBatch(epoch: epoch) { _, batch in batches.append(batch.images.scalars) }
            return batches
        }
        #expect(try batches(1) == batches(1))
        #expect(try batches(1) != batches(2))
    }
}
