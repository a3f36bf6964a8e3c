@testable import ConvKitVision
import Foundation
import Testing

@Suite struct VisualizeTests {
    func pixel(_ image: Image, x: Int, y: Int) -> [UInt8] {
        let start = (y * image.width + x) * image.channels
        return Array(image.pixels[start..<(start + image.channels)])
    }

    @Test func colormapsRunFromDarkToBright() {
        #expect(Colormap.gray.color(0) == (0, 0, 0) && Colormap.gray.color(1) == (255, 255, 255))
        #expect(Colormap.jet.color(0).2 > 100 && Colormap.jet.color(0).0 == 0, "jet starts blue")
        #expect(Colormap.jet.color(1).0 > 100 && Colormap.jet.color(1).2 == 0, "jet ends red")
        #expect(Colormap.inferno.color(0) == (0, 0, 4) && Colormap.inferno.color(1) == (252, 255, 164))
        #expect(Colormap.gray.color(.nan) == (0, 0, 0) && Colormap.gray.color(7) == (255, 255, 255))
    }

    @Test func heatmapOverlayBlendsAndResizes() throws {
        let image = try Image(width: 4, height: 4, channels: 1, pixels: Array(repeating: 0, count: 16))
        let map = Tensor([0, 0, 0, 1], shape: [2, 2])
        let overlay = try Heatmap.overlay(map, on: image, colormap: .gray, opacity: 0.5)
        #expect(overlay.width == 4 && overlay.channels == 3)
        #expect(pixel(overlay, x: 0, y: 0) == [0, 0, 0] && pixel(overlay, x: 3, y: 3) == [128, 128, 128])
        #expect(throws: TensorError.self) { try Heatmap.overlay(Tensor([1, 2, 3]), on: image) }
    }

    @Test func canvasWritesGlyphsAndScalesImages() throws {
        var canvas = Canvas(width: 20, height: 10)
        canvas.write("1", x: 0, y: 0)
        let text = try canvas.image()
        // "1": the top row has its one pixel at column 2, the bottom row three pixels at 1...3.
        #expect(pixel(text, x: 2, y: 0) == [0, 0, 0] && pixel(text, x: 1, y: 0) == [255, 255, 255])
        #expect((1...3).allSatisfy { pixel(text, x: $0, y: 6) == [0, 0, 0] })
        #expect(Canvas.textWidth("ab", scale: 2) == 22)

        var enlarged = Canvas(width: 6, height: 6)
        enlarged.draw(try Image(width: 2, height: 1, channels: 1, pixels: [10, 200]), x: 1, y: 1, scale: 2)
        let drawn = try enlarged.image()
        #expect(pixel(drawn, x: 2, y: 2) == [10, 10, 10] && pixel(drawn, x: 3, y: 1) == [200, 200, 200])
        #expect(pixel(drawn, x: 1, y: 3) == [255, 255, 255])
    }

    @Test func rgbFiltersAreColourPatchesScaledToTheirOwnRange() throws {
        // One 1x1 RGB kernel (0, 2, 1) → (0, 255, 128); legend: two lines of 20 pixels under an 8-pixel margin.
        let image = try FilterGrid.image(weight: Tensor([0, 2, 1], shape: [1, 3, 1, 1]), name: "conv")
        #expect(pixel(image, x: 8, y: 48) == [0, 255, 128] && pixel(image, x: 8 + 47, y: 48 + 47) == [0, 255, 128])
        #expect(throws: TensorError.self) { try FilterGrid.image(weight: Tensor([1, 2]), name: "fc") }
    }

    @Test func deepFiltersAreGrayPairsOrTheirMean() throws {
        // Two outputs, two inputs, 1x1: values 1, -1 | 0.5, 0.5; max |w| = 1, so w maps to w / 2 + 0.5.
        let weight = Tensor([1, -1, 0.5, 0.5], shape: [2, 2, 1, 1])
        let pairs = try FilterGrid.image(weight: weight, name: "conv")
        let top = 8 + 3 * 20
        #expect(pixel(pairs, x: 8, y: top) == [255, 255, 255] && pixel(pairs, x: 8 + 51, y: top) == [0, 0, 0])
        let means = try FilterGrid.image(weight: weight, name: "conv", maxTiles: 3)
        let meanTop = 8 + 2 * 20
        #expect(pixel(means, x: 8, y: meanTop) == [128, 128, 128], "mean of 1 and -1 is 0")
        #expect(pixel(means, x: 8 + 51, y: meanTop) == [191, 191, 191], "mean 0.5")
    }

    @Test func featureMapsAreScaledPerChannel() throws {
        let activations = Tensor([0, 1, 2, 3, 5, 5, 5, 5], shape: [1, 2, 2, 2])
        let image = try FeatureMapGrid.image(activations: activations, name: "layer", colormap: .gray)
        #expect(pixel(image, x: 8, y: 48) == [0, 0, 0] && pixel(image, x: 8 + 63, y: 48 + 63) == [255, 255, 255])
        #expect(throws: TensorError.self) { try FeatureMapGrid.image(activations: Tensor([1, 2]), name: "fc") }
    }

    @Test func confusionMatrixCountsAndRanksConfusions() throws {
        let matrix = try ConfusionMatrix(actual: [0, 0, 1, 1, 1, 2, 2], predicted: [0, 1, 2, 2, 1, 2, 0], classCount: 3)
        #expect(matrix.counts == [[1, 1, 0], [0, 1, 2], [1, 0, 1]])
        #expect(abs(matrix.accuracy - 3.0 / 7) < 1e-12)
        let confused = matrix.mostConfused(limit: 2)
        #expect(confused.map(\.actual) == [1, 0] && confused.map(\.predicted) == [2, 1] && confused.map(\.count) == [2, 1])
        let svg = matrix.svg(classNames: ["cat", "dog", "<bird>"])
        #expect(svg.contains("&lt;bird&gt;") && svg.contains(">2</text>") && svg.hasPrefix("<svg"))
        #expect(throws: TensorError.self) { try ConfusionMatrix(actual: [3], predicted: [0], classCount: 3) }
        #expect(throws: TensorError.self) { try ConfusionMatrix(actual: [0, 1], predicted: [0], classCount: 3) }
    }

    @Test func lineChartsHaveRoundTicksAndOnePointPerEpoch() {
        #expect(LineChart.ticks((0, 1)).map { ($0 * 10).rounded() } == [0, 2, 4, 6, 8, 10])
        #expect(LineChart.ticks((0.31, 0.36)).count >= 3)
        let chart = LineChart(title: "Loss", xLabel: "epoch", yLabel: "loss", series: [
            .init(name: "train", points: [(1, 2.0), (2, 1.0), (3, 0.5)], color: "red"),
        ])
        let svg = chart.svg()
        #expect(svg.components(separatedBy: "<circle").count - 1 == 3)
        #expect(svg.contains("<polyline") && svg.contains(">train</text>"))
    }

    @Test func htmlReportEmbedsPicturesAndEscapesText() throws {
        var report = HTMLReport(title: "a < b")
        report.table([["key", "value"], ["x", "<script>"]])
        report.figures([try .png(try Image(width: 1, height: 1, channels: 1, pixels: [7]), caption: "one"), .svg("<svg></svg>")])
        let html = report.html
        #expect(html.contains("<title>a &lt; b</title>") && html.contains("&lt;script&gt;"))
        #expect(html.contains("src=\"data:image/png;base64,iVBOR") && html.contains("<svg></svg>"))
    }
}
