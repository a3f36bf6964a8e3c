import ConvKitData

extension InMemoryImageDataset {
    /// Every image resized to `size` x `size` with the antialiased bilinear filter (28x28
    /// Fashion-MNIST up to an ImageNet model's input, say); labels unchanged.
    public func resized(to size: Int) throws -> InMemoryImageDataset {
        guard exampleShape.count == 3 else { throw DatasetError("can only resize [C, H, W] images, not \(exampleShape)") }
        let (channels, height, width) = (exampleShape[0], exampleShape[1], exampleShape[2])
        if height == size && width == size { return self }
        let planeSize = height * width, exampleSize = channels * planeSize
        var resized: [UInt8] = []
        resized.reserveCapacity(count * channels * size * size)
        for index in 0..<count {
            // Pixels are stored channel-planar; Image is interleaved.
            var interleaved = [UInt8](repeating: 0, count: exampleSize)
            for c in 0..<channels {
                for p in 0..<planeSize { interleaved[p * channels + c] = pixels[index * exampleSize + c * planeSize + p] }
            }
            let image = try Image(width: width, height: height, channels: channels, pixels: interleaved)
                .resized(width: size, height: size)
            for c in 0..<channels {
                for p in 0..<(size * size) { resized.append(image.pixels[p * channels + c]) }
            }
        }
        return try InMemoryImageDataset(pixels: resized, labels: labels, exampleShape: [channels, size, size],
                                        classNames: classNames)
    }
}
