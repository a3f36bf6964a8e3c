import ConvKitData
import Foundation

/// A folder with one sub-folder of PNG/JPEG images per class, as torchvision's
/// `ImageFolder`: classes are the sub-folder names in sorted order.
///
/// Images are decoded once, converted to the requested channel count and resized
/// (bilinear) to one size so they batch together, then held in memory; a file that
/// cannot be decoded stops loading with an error naming it.
public enum ImageFolderDataset {
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

    public static func load(from root: URL, size: (height: Int, width: Int), channels: Int = 3) throws -> InMemoryImageDataset {
        guard channels == 1 || channels == 3 else {
            throw DatasetError("image folders load as 1 (gray) or 3 (RGB) channels, not \(channels)")
        }
        let manager = FileManager.default
        guard let entries = try? manager.contentsOfDirectory(at: root, includingPropertiesForKeys: [.isDirectoryKey]) else {
            throw DatasetError("cannot list \(root.path); pass a folder with one sub-folder of images per class")
        }
        let classFolders = entries.filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        guard !classFolders.isEmpty else {
            throw DatasetError("\(root.path) has no class sub-folders; expected e.g. \(root.path)/cat/*.png and \(root.path)/dog/*.jpg")
        }
        var pixels: [UInt8] = [], labels: [Int] = []
        for (label, folder) in classFolders.enumerated() {
            let files = try manager.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { imageExtensions.contains($0.pathExtension.lowercased()) }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
            for file in files {
                let image = try Image(contentsOf: file)
                let converted = channels == 1 ? image.grayscale() : image.rgb()
                pixels += try resizedBytes(converted, to: size)
                labels.append(label)
            }
        }
        guard !labels.isEmpty else { throw DatasetError("\(root.path) has class folders but no .png or .jpg images in them") }
        return try InMemoryImageDataset(pixels: pixels, labels: labels, exampleShape: [channels, size.height, size.width],
                                        classNames: classFolders.map(\.lastPathComponent))
    }

    /// `image` scaled to `size` with bilinear interpolation, as bytes in CHW order.
    static func resizedBytes(_ image: Image, to size: (height: Int, width: Int)) throws -> [UInt8] {
        var tensor = try image.tensor().unsqueezed(at: 0)
        if image.height != size.height || image.width != size.width {
            tensor = try tensor.resized(to: size, mode: .bilinear(alignCorners: false))
        }
        return tensor.scalars.map { UInt8(min(max($0 * 255, 0), 255).rounded()) }
    }
}
