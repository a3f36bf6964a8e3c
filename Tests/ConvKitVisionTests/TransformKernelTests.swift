import ConvKitInterop
import ConvKitVision
import Foundation
import Testing

/// An array written by tools/fixtures/transforms.py.
func transformFixture(_ name: String, _ array: String) throws -> Tensor {
    try NumPyFile.read(zooFixture("transforms/\(name)/\(array).npy"))
}

/// The fixture's float `[C, H, W]` input.
func fixtureImage(_ name: String) throws -> PlanarImage { try PlanarImage(tensor: transformFixture(name, "input")) }

/// The largest absolute difference between `image` and the fixture's output.
func worstError(_ image: PlanarImage, _ name: String) throws -> Float {
    let expected = try transformFixture(name, "output")
    #expect(expected.shape == [image.channels, image.height, image.width], "\(name) shape")
    return zip(image.values, expected.scalars).map { abs($0 - $1) }.max() ?? .infinity
}

/// Deterministic kernels against torchvision (tensor kernels) and PIL (resize).
@Suite struct TransformKernelTests {
    @Test func flipsAndCropsMatchExactly() throws {
        let image = try fixtureImage("hflip")
        #expect(try worstError(image.flippedHorizontally(), "hflip") == 0)
        #expect(try worstError(image.flippedVertically(), "vflip") == 0)
        #expect(try worstError(image.centerCropped(height: 11, width: 15), "center_crop_odd") == 0)
        #expect(try worstError(image.centerCropped(height: 24, width: 30), "center_crop_larger") == 0)
        #expect(try worstError(image.cropped(top: 4, left: 5, height: 9, width: 13), "crop") == 0)
        for mode in PaddingMode.allCases {
            let padded = try image.padded(left: 3, top: 1, right: 2, bottom: 4, mode: mode, fill: mode == .constant ? 0.25 : 0)
            #expect(try worstError(padded, "pad_\(mode.rawValue)") == 0, "\(mode)")
        }
    }

    @Test(arguments: Interpolation.allCases)
    func resizeMatchesPILWithinOneLevel(interpolation: Interpolation) throws {
        for (width, height) in [(9, 13), (41, 33)] {
            let name = "resize_\(interpolation.rawValue)_\(width)x\(height)"
            let input = try transformFixture(name, "input"), expected = try transformFixture(name, "output")
            let source = try Image(width: input.shape[1], height: input.shape[0], channels: 3,
                                   pixels: input.scalars.map { UInt8($0) })
            let resized = try PlanarImage(source).resized(height: height, width: width, interpolation: interpolation).image()
            #expect([resized.height, resized.width, 3] == expected.shape)
            let worst = zip(resized.pixels, expected.scalars).map { abs(Float($0) - $1) }.max() ?? .infinity
            // PIL rounds to 8 bits between its horizontal and vertical passes; we do not.
            #expect(worst <= (interpolation == .nearest ? 0 : 1), "\(name): off by \(worst) levels")
        }
    }

    @Test func blurMatchesTorchvision() throws {
        let image = try fixtureImage("blur")
        #expect(try worstError(image.blurred(kernelSize: 5, sigma: 1.3), "blur") < 1e-5)
        #expect(try worstError(image.blurred(kernelSize: 9, sigma: 3), "blur_wide") < 1e-5)
    }

    @Test func affineMatchesTorchvision() throws {
        let image = try fixtureImage("affine_bilinear")
        let parameters = AffineParameters(angle: 20, translation: (2, -3), scale: 1.1, shear: (8, 0))
        let bilinear = try image.transformedAffine(parameters, interpolation: .bilinear, fill: 0.5)
        #expect(try worstError(bilinear, "affine_bilinear") < 1e-4)
        // Nearest sampling may round a coordinate within float error of .5 the other way.
        let nearest = try image.transformedAffine(parameters, interpolation: .nearest, fill: 0.5)
        let expected = try transformFixture("affine_nearest", "output").scalars
        let mismatches = zip(nearest.values, expected).filter { abs($0 - $1) > 1e-6 }.count
        #expect(Double(mismatches) <= 0.01 * Double(expected.count), "\(mismatches) of \(expected.count) differ")
    }

    @Test func colorAdjustmentsMatchTorchvision() throws {
        let image = try fixtureImage("brightness")
        #expect(try worstError(image.adjustingBrightness(1.3), "brightness") < 1e-5)
        #expect(try worstError(image.adjustingContrast(0.6), "contrast") < 1e-5)
        #expect(try worstError(image.adjustingSaturation(1.7), "saturation") < 1e-5)
        #expect(try worstError(image.adjustingHue(0.2), "hue_positive") < 1e-4)
        #expect(try worstError(image.adjustingHue(-0.35), "hue_negative") < 1e-4)
        #expect(try worstError(image.grayscaled(outputChannels: 3), "grayscale") < 1e-5)
    }

    @Test func imageConversionsRoundTrip() throws {
        let image = try pattern(width: 5, height: 4, channels: 3)
        #expect(try PlanarImage(image).image() == image)
        #expect(try Image(tensor: image.tensor()) == image)
    }
}
