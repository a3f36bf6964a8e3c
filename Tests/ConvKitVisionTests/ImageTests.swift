import ConvKitData
import ConvKitTestSupport
import ConvKitVision
import Foundation
import Testing

func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-images-\(UUID())")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A small deterministic test pattern.
func pattern(width: Int, height: Int, channels: Int) throws -> Image {
    try Image(width: width, height: height, channels: channels,
              pixels: (0..<(width * height * channels)).map { UInt8(($0 * 37 + $0 / 7) % 256) })
}

@Suite struct ImageTests {
    @Test(arguments: [1, 2, 3, 4])
    func pngRoundTripsExactly(channels: Int) throws {
        let image = try pattern(width: 7, height: 5, channels: channels)
        #expect(try Image(data: image.pngData()) == image)
    }

    @Test func jpegRoundTripIsClose() throws {
        // A smooth gradient: JPEG keeps it within a few levels.
        let pixels = (0..<(32 * 24)).flatMap { i -> [UInt8] in
            let (x, y) = (i % 32, i / 32)
            return [UInt8(x * 8), UInt8(y * 10), 128]
        }
        let image = try Image(width: 32, height: 24, channels: 3, pixels: pixels)
        let decoded = try Image(data: image.jpegData(quality: 95))
        #expect(decoded.width == 32 && decoded.height == 24 && decoded.channels == 3)
        let worst = zip(decoded.pixels, image.pixels).map { abs(Int($0) - Int($1)) }.max()!
        #expect(worst <= 12)
    }

    @Test func fileRoundTripThroughTensor() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scene = try TestPictures.scene(width: 64, height: 40)
        let png = folder.appendingPathComponent("scene.png"), jpeg = folder.appendingPathComponent("scene.jpg")
        try scene.write(to: png)
        try scene.write(to: jpeg)
        #expect(try Image(contentsOf: png) == scene)
        let decoded = try Image(contentsOf: jpeg)
        #expect(decoded.width == 64 && decoded.height == 40 && decoded.channels == 3)
        let tensor = decoded.tensor()
        #expect(tensor.shape == [3, 40, 64])
        #expect(try Image(tensor: tensor) == decoded)
    }

    /// Files written by other encoders (scikit-image's sample photos), not only by ours.
    @Test func samplePhotosDecode() throws {
        let chelsea = try Image(contentsOf: TestAssets.photo("chelsea.png"))
        #expect(chelsea.width == 451 && chelsea.height == 300 && chelsea.channels == 3)
        let astronaut = try Image(contentsOf: TestAssets.photo("astronaut.png"))
        #expect(astronaut.width == 512 && astronaut.height == 512)
        let rocket = try Image(contentsOf: TestAssets.photo("rocket.jpg"))
        #expect(rocket.width == 640 && rocket.height == 427 && rocket.channels == 3)
    }

    @Test func badFilesNameTheFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let empty = folder.appendingPathComponent("empty.png"), text = folder.appendingPathComponent("notes.png")
        let cut = folder.appendingPathComponent("cut.jpg"), cutPNG = folder.appendingPathComponent("cut.png")
        try Data().write(to: empty)
        try Data("hello".utf8).write(to: text)
        let jpeg = try TestPictures.scene(width: 160, height: 120).jpegData()
        try jpeg.prefix(jpeg.count / 3).write(to: cut)
        try pattern(width: 40, height: 40, channels: 3).pngData().prefix(60).write(to: cutPNG)
        for url in [empty, text, cut, cutPNG, folder.appendingPathComponent("missing.png")] {
            let error = #expect(throws: ImageError.self) { try Image(contentsOf: url) }
            #expect(error?.description.contains(url.path) == true, "\(String(describing: error))")
        }
    }

    @Test func conversionsFollowPIL() throws {
        let image = try Image(width: 1, height: 1, channels: 4, pixels: [200, 100, 50, 7])
        #expect(image.droppingAlpha().pixels == [200, 100, 50])
        #expect(image.grayscale().pixels == [124])  // PIL: (200*299 + 100*587 + 50*114) / 1000 = 124.2
        #expect(try Image(width: 1, height: 1, channels: 1, pixels: [9]).rgb().pixels == [9, 9, 9])
    }
}

@Suite struct ImageFolderTests {
    @Test func classesAreSortedSubfoldersAndImagesAreResized() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        for (name, count) in [("dog", 2), ("cat", 3)] {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for index in 0..<count {
                try pattern(width: 10 + index, height: 12, channels: 3).write(to: folder.appendingPathComponent("\(index).png"))
            }
        }
        try Data("not an image".utf8).write(to: root.appendingPathComponent("cat/readme.txt"))
        let dataset = try ImageFolderDataset.load(from: root, size: (8, 8), channels: 1)
        #expect(dataset.classNames == ["cat", "dog"])
        #expect(dataset.labels == [0, 0, 0, 1, 1])
        #expect(dataset.exampleShape == [1, 8, 8])

        try Data("broken".utf8).write(to: root.appendingPathComponent("dog/bad.jpg"))
        let error = #expect(throws: ImageError.self) { try ImageFolderDataset.load(from: root, size: (8, 8)) }
        #expect(error?.description.contains("bad.jpg") == true)
        #expect(throws: DatasetError.self) { try ImageFolderDataset.load(from: root.appendingPathComponent("cat"), size: (8, 8)) }
    }
}

@Suite struct ResizeTests {
    @Test func shrinkingAveragesLikeABoxAndPreservesFlatColors() throws {
        let flat = try Image(width: 9, height: 6, channels: 3, pixels: [UInt8](repeating: 77, count: 9 * 6 * 3))
        #expect(try flat.resized(width: 4, height: 5).pixels.allSatisfy { $0 == 77 })
        // A 1-pixel checkerboard halved by an antialiased filter becomes mid-gray, not aliased stripes.
        let checker = try Image(width: 8, height: 8, channels: 1, pixels: (0..<64).map { ($0 / 8 + $0 % 8) % 2 == 0 ? 0 : 255 })
        let half = try checker.resized(width: 4, height: 4)
        #expect(half.pixels.allSatisfy { abs(Int($0) - 128) <= 32 }, "\(half.pixels)")
    }

    @Test func shorterSideAndCenterCropFollowTorchvision() throws {
        let resized = try TestPictures.scene(width: 451, height: 300).resized(shorterSide: 256)
        #expect(resized.width == 384 && resized.height == 256)  // torchvision: int(451 * 256 / 300) = 384
        let cropped = try resized.centerCropped(width: 224, height: 224)
        #expect(cropped.width == 224 && cropped.height == 224)
        // torchvision zero-pads a crop larger than the image: 8 black columns on each side here.
        let padded = try resized.centerCropped(width: 400, height: 10)
        #expect(padded.width == 400 && padded.pixels.prefix(3 * 8).allSatisfy { $0 == 0 } && padded.pixels[3 * 8] != 0)
    }
}
