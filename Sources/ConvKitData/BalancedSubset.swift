extension InMemoryImageDataset {
    /// The first `perClass` examples of every class, in dataset order: the labeled
    /// budget of a low-data experiment ("100 images per class").
    public func balancedSubset(perClass: Int) throws -> InMemoryImageDataset {
        guard perClass > 0 else { throw DatasetError("images per class must be positive, got \(perClass)") }
        var taken = [Int](repeating: 0, count: classNames.count)
        var kept: [Int] = []
        for (index, label) in labels.enumerated() where taken[label] < perClass {
            taken[label] += 1
            kept.append(index)
        }
        if let short = taken.firstIndex(where: { $0 < perClass }) {
            throw DatasetError("class '\(classNames[short])' has only \(taken[short]) examples; cannot take \(perClass) per class")
        }
        let size = exampleShape.reduce(1, *)
        var pixels: [UInt8] = []
        pixels.reserveCapacity(kept.count * size)
        for index in kept { pixels += self.pixels[(index * size)..<((index + 1) * size)] }
        return try InMemoryImageDataset(pixels: pixels, labels: kept.map { labels[$0] }, exampleShape: exampleShape,
                                        classNames: classNames)
    }
}
