import Foundation

/// A line chart as standalone SVG: one or more series over a shared x axis, with ticks,
/// axis titles and a legend. Training curves are two of these (loss and accuracy).
public struct LineChart {
    public struct Series {
        public let name: String
        public let points: [(x: Double, y: Double)]
        /// Any SVG colour, e.g. `#1f77b4`.
        public let color: String

        public init(name: String, points: [(x: Double, y: Double)], color: String) {
            (self.name, self.points, self.color) = (name, points, color)
        }
    }

    public let title: String
    public let xLabel: String
    public let yLabel: String
    public let series: [Series]

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        (self.title, self.xLabel, self.yLabel, self.series) = (title, xLabel, yLabel, series)
    }

    public func svg(width: Int = 480, height: Int = 300) -> String {
        let (left, right, top, bottom) = (58.0, 16.0, 44.0, 44.0)
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        let points = series.flatMap(\.points).filter { $0.y.isFinite }
        let xs = Self.range(points.map(\.x)), ys = Self.range(points.map(\.y))
        func px(_ x: Double) -> Double { left + (x - xs.low) / (xs.high - xs.low) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - (y - ys.low) / (ys.high - ys.low) * plotHeight }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"11\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + "<text x=\"\(f(left))\" y=\"18\" font-size=\"13\" font-weight=\"bold\">\(escapeXML(title))</text>\n"
        for tick in Self.ticks(ys) {
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(py(tick)))\" y2=\"\(f(py(tick)))\" stroke=\"#e4e4e4\"/>"
                + "<text x=\"\(f(left - 6))\" y=\"\(f(py(tick) + 4))\" text-anchor=\"end\">\(Self.label(tick))</text>\n"
        }
        for tick in Self.ticks(xs) {
            svg += "<line x1=\"\(f(px(tick)))\" x2=\"\(f(px(tick)))\" y1=\"\(f(top + plotHeight))\" y2=\"\(f(top + plotHeight + 4))\" stroke=\"black\"/>"
                + "<text x=\"\(f(px(tick)))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\">\(Self.label(tick))</text>\n"
        }
        svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" stroke=\"black\"/>\n"
            + "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(height - 8)\" text-anchor=\"middle\">\(escapeXML(xLabel))</text>\n"
            + "<text transform=\"translate(14 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(escapeXML(yLabel))</text>\n"
        for (index, line) in series.enumerated() {
            let finite = line.points.filter { $0.y.isFinite }
            let path = finite.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"/>\n"
            for point in finite {
                svg += "<circle cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"2.5\" fill=\"\(line.color)\"/>"
            }
            // The legend sits above the plot, where no line can run under it.
            let legendY = 14 + Double(index) * 14
            svg += "\n<line x1=\"\(f(left + plotWidth - 110))\" x2=\"\(f(left + plotWidth - 92))\" y1=\"\(f(legendY - 4))\" "
                + "y2=\"\(f(legendY - 4))\" stroke=\"\(line.color)\" stroke-width=\"2\"/>"
                + "<text x=\"\(f(left + plotWidth - 86))\" y=\"\(f(legendY))\">\(escapeXML(line.name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// The data range, widened when it is a single value.
    static func range(_ values: [Double]) -> (low: Double, high: Double) {
        guard let low = values.min(), let high = values.max() else { return (0, 1) }
        return high > low ? (low, high) : (low - 0.5, high + 0.5)
    }

    /// About five round tick values inside the range.
    static func ticks(_ range: (low: Double, high: Double)) -> [Double] {
        let raw = (range.high - range.low) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        let first = ceil(range.low / step) * step
        return stride(from: first, through: range.high + step * 1e-9, by: step).map { $0 }
    }

    static func label(_ value: Double) -> String { String(format: "%g", (value * 1e6).rounded() / 1e6) }
}

private func f(_ value: Double) -> String { String(format: "%.1f", value) }
