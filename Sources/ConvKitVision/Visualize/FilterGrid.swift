/// A convolution's kernels as pictures, the lecture's view of what a layer looks for.
public enum FilterGrid {
    /// `weight [out, in, kH, kW]` of layer `name` as a grid. Three-channel kernels (an RGB
    /// network's first layer) become colour patches, each scaled to its own min..max;
    /// deeper kernels become gray tiles on one symmetric scale (mid-gray = 0), one per
    /// (output, input) pair while there are at most `maxTiles` pairs, otherwise the mean over
    /// inputs per output. At most `maxTiles` tiles are drawn; the legend says which.
    public static func image(weight: Tensor, name: String, maxTiles: Int = 1024) throws -> Image {
        guard weight.rank == 4 else {
            throw TensorError("'\(name)' is not a 2-D convolution: its weight has shape \(weight.shape), not [out, in, kH, kW]")
        }
        let (outputs, inputs, kernelHeight, kernelWidth) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        let kernel = kernelHeight * kernelWidth
        let values = weight.contiguous().scalars
        let scale = Swift.max(1, 48 / Swift.max(kernelHeight, kernelWidth))
        let size = "\(kernelHeight)x\(kernelWidth)"
        if inputs == 3 {
            let shown = Swift.min(outputs, maxTiles)
            let tiles = try (0..<shown).map { filter -> (image: Image, label: String?) in
                let block = Array(values[(filter * 3 * kernel)..<((filter + 1) * 3 * kernel)])
                let (low, high) = (block.min() ?? 0, block.max() ?? 0)
                let normalized = Tensor(block.map { ($0 - low) / (high > low ? high - low : 1) }, shape: [3, kernelHeight, kernelWidth])
                return (try Image(tensor: normalized), "\(filter)")
            }
            return try TileGrid(legend: ["\(name): \(outputs) RGB filters \(size)" + (shown < outputs ? ", first \(shown)" : ""),
                                         "each scaled to its own min..max"],
                                tiles: tiles, scale: scale, columns: columnCount(shown)).render()
        }
        let limit = values.map(abs).max() ?? 0
        func grayTile(_ kernelValues: ArraySlice<Float>) throws -> Image {
            let levels = kernelValues.map { limit > 0 ? $0 / (2 * limit) + 0.5 : 0.5 }
            return try Image(tensor: Tensor(Array(levels), shape: [1, kernelHeight, kernelWidth]))
        }
        let scaleNote = String(format: "gray = 0, white = +%.3g, black = -%.3g", limit, limit)
        if outputs * inputs <= maxTiles {
            let tiles = try (0..<(outputs * inputs)).map { pair in
                (image: try grayTile(values[(pair * kernel)..<((pair + 1) * kernel)]), label: inputs == 1 ? "\(pair)" : nil)
            }
            let layout = inputs == 1 ? "one tile per output channel" : "row = output channel, column = input channel"
            return try TileGrid(legend: ["\(name): \(outputs) x \(inputs) kernels \(size)", layout, scaleNote],
                                tiles: tiles, scale: scale, columns: inputs == 1 ? columnCount(outputs) : inputs).render()
        }
        let shown = Swift.min(outputs, maxTiles)
        let means = (0..<shown).map { filter in
            (0..<kernel).map { offset in
                (0..<inputs).reduce(Float(0)) { $0 + values[(filter * inputs + $1) * kernel + offset] } / Float(inputs)
            }
        }
        let tiles = try means.enumerated().map { filter, mean in (image: try grayTile(mean[...]), label: String?("\(filter)")) }
        return try TileGrid(legend: ["\(name): \(outputs) x \(inputs) kernels \(size), mean over the \(inputs) inputs"
                                        + (shown < outputs ? ", first \(shown) outputs" : ""), scaleNote],
                            tiles: tiles, scale: scale, columns: columnCount(shown)).render()
    }

    /// Columns for a roughly square grid of `count` tiles.
    static func columnCount(_ count: Int) -> Int { Swift.max(1, Int(Double(count).squareRoot().rounded(.up))) }
}
