import Foundation

/// Counts of (actual class, predicted class) over a test set.
public struct ConfusionMatrix: Equatable, Sendable {
    /// `counts[actual][predicted]`.
    public private(set) var counts: [[Int]]

    public init(classCount: Int) { counts = Array(repeating: Array(repeating: 0, count: classCount), count: classCount) }

    public init(actual: [Int], predicted: [Int], classCount: Int) throws {
        self.init(classCount: classCount)
        guard actual.count == predicted.count else {
            throw TensorError("confusion matrix: \(actual.count) labels but \(predicted.count) predictions")
        }
        for (label, prediction) in zip(actual, predicted) {
            guard (0..<classCount).contains(label), (0..<classCount).contains(prediction) else {
                throw TensorError("confusion matrix: class \(label) or \(prediction) outside 0..<\(classCount)")
            }
            counts[label][prediction] += 1
        }
    }

    public var classCount: Int { counts.count }
    public var total: Int { counts.joined().reduce(0, +) }
    public var accuracy: Double { total == 0 ? 0 : Double(counts.indices.reduce(0) { $0 + counts[$1][$1] }) / Double(total) }

    /// The off-diagonal cells with the most examples, largest first.
    public func mostConfused(limit: Int = 5) -> [(actual: Int, predicted: Int, count: Int)] {
        counts.indices.flatMap { actual in counts.indices.map { (actual: actual, predicted: $0, count: counts[actual][$0]) } }
            .filter { $0.actual != $0.predicted && $0.count > 0 }
            .sorted { ($0.count, $1.actual, $1.predicted) > ($1.count, $0.actual, $0.predicted) }
            .prefix(limit).map { $0 }
    }

    /// SVG heatmap: rows are actual classes, columns predictions, each cell shaded by the
    /// fraction of its row and labelled with its count (while cells are large enough).
    public func svg(classNames: [String], cellSize: Int = 34) -> String {
        let n = classCount
        let labelWidth = min(140, 12 + 7 * (classNames.map(\.count).max() ?? 1))
        let (left, top) = (labelWidth + 24, 40)
        let size = left + n * cellSize + 12, height = top + n * cellSize + labelWidth + 28
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(size)\" height=\"\(height)\" viewBox=\"0 0 \(size) \(height)\" "
            + "font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + "<text x=\"\(left + n * cellSize / 2)\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">"
            + String(format: "Confusion matrix (accuracy %.2f%%, %d examples)", 100 * accuracy, total) + "</text>\n"
            + "<text x=\"\(left + n * cellSize / 2)\" y=\"32\" text-anchor=\"middle\">predicted</text>\n"
            + "<text transform=\"translate(12 \(top + n * cellSize / 2)) rotate(-90)\" text-anchor=\"middle\">actual</text>\n"
        for actual in 0..<n {
            let rowTotal = max(1, counts[actual].reduce(0, +))
            let name = actual < classNames.count ? classNames[actual] : "\(actual)"
            svg += "<text x=\"\(left - 4)\" y=\"\(top + actual * cellSize + cellSize / 2 + 4)\" text-anchor=\"end\">\(escapeXML(name))</text>\n"
            for predicted in 0..<n {
                let count = counts[actual][predicted]
                let (r, g, b) = Colormap.inferno.color(Float(count) / Float(rowTotal))
                let (x, y) = (left + predicted * cellSize, top + actual * cellSize)
                svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cellSize)\" height=\"\(cellSize)\" fill=\"rgb(\(r),\(g),\(b))\">"
                    + "<title>\(escapeXML(name)) → \(predicted): \(count)</title></rect>"
                if cellSize >= 24 {
                    let ink = Float(count) / Float(rowTotal) > 0.6 ? "black" : "white"
                    svg += "<text x=\"\(x + cellSize / 2)\" y=\"\(y + cellSize / 2 + 4)\" text-anchor=\"middle\" fill=\"\(ink)\">\(count)</text>"
                }
                svg += "\n"
            }
        }
        for predicted in 0..<n {
            let name = predicted < classNames.count ? classNames[predicted] : "\(predicted)"
            let x = left + predicted * cellSize + cellSize / 2 + 4, y = top + n * cellSize + 6
            svg += "<text transform=\"translate(\(x) \(y)) rotate(-90)\" text-anchor=\"end\">\(escapeXML(name))</text>\n"
        }
        return svg + "</svg>\n"
    }
}
