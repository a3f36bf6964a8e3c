import ConvKitCore
import Foundation

/// MNIST-format IDX files of digits drawn from a 5x7 pixel font, each font pixel a 3x3 block, shifted by
/// up to a pixel, at random brightness over faint noise: ten classes that a barely trained LeNet-5 already
/// separates and a few dozen steps classify, written in a moment, so tests that train need no download.
public enum SyntheticDigits {
    /// Rows of each digit's 5x7 glyph, top to bottom, `#` for ink.
    static let glyphs: [[String]] = [
        [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
        ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
        [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
        ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
        ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
        ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
        ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
        ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
        [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
        [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
    ]

    /// `count` 28x28 images (row-major bytes) with labels cycling through 0...9, the same for the same seed.
    public static func make(count: Int, seed: UInt64) -> (pixels: [UInt8], labels: [UInt8]) {
        var random = RandomGenerator(seed: seed)
        func draw(_ range: ClosedRange<Int>) -> UInt8 { UInt8(Int.random(in: range, using: &random)) }
        let block = 3, side = 28
        var pixels = [UInt8](repeating: 0, count: count * side * side), labels: [UInt8] = []
        for index in 0..<count {
            let digit = index % 10, base = index * side * side
            labels.append(UInt8(digit))
            for offset in 0..<(side * side) { pixels[base + offset] = draw(0...30) }
            let left = (side - 5 * block) / 2 + Int(draw(0...2)) - 1, top = (side - 7 * block) / 2 + Int(draw(0...2)) - 1
            let ink = draw(170...255)
            for (row, line) in glyphs[digit].enumerated() {
                for (column, mark) in line.enumerated() where mark == "#" {
                    for y in (top + row * block)..<(top + (row + 1) * block) {
                        for x in (left + column * block)..<(left + (column + 1) * block) { pixels[base + y * side + x] = ink }
                    }
                }
            }
        }
        return (pixels, labels)
    }

    /// Writes the four files MNIST's loader reads (`train-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, ...).
    public static func write(to directory: URL, trainCount: Int, testCount: Int, seed: UInt64) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (prefix, count, splitSeed) in [("train", trainCount, seed), ("t10k", testCount, seed &+ 1)] {
            let (pixels, labels) = make(count: count, seed: splitSeed)
            try Data(idxHeader([count, 28, 28]) + pixels).write(to: directory.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try Data(idxHeader([count]) + labels).write(to: directory.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
    }

    /// The IDX header of an unsigned-byte array: magic 0x0000_08, the rank, then each dimension big-endian.
    static func idxHeader(_ dimensions: [Int]) -> [UInt8] {
        [0, 0, 8, UInt8(dimensions.count)] + dimensions.flatMap { d in (0..<4).map { UInt8((d >> (8 * (3 - $0))) & 0xFF) } }
    }
}
