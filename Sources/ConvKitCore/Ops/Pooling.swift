/// A pooling window's geometry along one spatial axis.
struct PoolingAxis {
    let input, kernel, stride, padding: Int
    let output: Int

    /// PyTorch's output-size rule; with `ceilMode` the last window may overhang, but it
    /// must start inside the input or the left padding.
    init(input: Int, kernel: Int, stride: Int, padding: Int, ceilMode: Bool) {
        (self.input, self.kernel, self.stride, self.padding) = (input, kernel, stride, padding)
        let span = input + 2 * padding - kernel
        var output = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
        if ceilMode && (output - 1) * stride >= input + padding { output -= 1 }
        self.output = output
    }

    /// The window of output position `index`: its clipped input range, and the size
    /// PyTorch divides by when padding counts (clipped at the padded edge only).
    func window(_ index: Int) -> (range: Range<Int>, paddedSize: Int) {
        let start = index * stride - padding
        let paddedEnd = Swift.min(start + kernel, input + padding)
        return (Swift.max(start, 0)..<Swift.min(paddedEnd, input), paddedEnd - start)
    }
}

/// Validates pooling arguments and returns the two axes' geometry.
private func poolingAxes(_ input: Tensor, _ op: String, kernel: (Int, Int), stride: (Int, Int)?, padding: (Int, Int),
                         ceilMode: Bool) throws -> (PoolingAxis, PoolingAxis) {
    guard input.rank == 4, input.dtype == .float32 else {
        throw TensorError("\(op): needs float32 [N, C, H, W] input, got \(input.dtype) \(describe(input.shape))")
    }
    let stride = stride ?? kernel
    guard kernel.0 > 0, kernel.1 > 0, stride.0 > 0, stride.1 > 0 else {
        throw TensorError("\(op): kernel \(kernel) and stride \(stride) must be positive (input \(describe(input.shape)))")
    }
    guard padding.0 >= 0, padding.1 >= 0, padding.0 <= kernel.0 / 2, padding.1 <= kernel.1 / 2 else {
        throw TensorError("\(op): padding \(padding) must be between 0 and half the kernel \(kernel)")
    }
    guard kernel.0 <= input.shape[2] + 2 * padding.0, kernel.1 <= input.shape[3] + 2 * padding.1 else {
        throw TensorError("\(op): kernel \(kernel) is larger than the padded input \(input.shape[2] + 2 * padding.0)x"
            + "\(input.shape[3] + 2 * padding.1) (input \(describe(input.shape)))")
    }
    return (PoolingAxis(input: input.shape[2], kernel: kernel.0, stride: stride.0, padding: padding.0, ceilMode: ceilMode),
            PoolingAxis(input: input.shape[3], kernel: kernel.1, stride: stride.1, padding: padding.1, ceilMode: ceilMode))
}

/// Max pooling over `[N, C, H, W]` (`torch.nn.functional.max_pool2d`); the gradient
/// goes to the first maximum of each window.
public func maxPool2d(_ input: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                      ceilMode: Bool = false) throws -> Tensor {
    let (rows, columns) = try poolingAxes(input, "maxPool2d", kernel: kernel, stride: stride, padding: padding,
                                          ceilMode: ceilMode)
    return try windowMaximum(input, rowWindows: (0..<rows.output).map { rows.window($0).range },
                             columnWindows: (0..<columns.output).map { columns.window($0).range }, name: "max_pool2d")
}

/// Max pooling to a fixed output size, with adaptive pooling's windows.
public func adaptiveMaxPool2d(_ input: Tensor, outputSize: (Int, Int)) throws -> Tensor {
    guard input.rank == 4, outputSize.0 > 0, outputSize.1 > 0 else {
        throw TensorError("adaptiveMaxPool2d: needs [N, C, H, W] input and a positive size, got "
            + "\(describe(input.shape)) and \(outputSize)")
    }
    return try windowMaximum(input, rowWindows: adaptiveRanges(input.shape[2], outputSize.0),
                             columnWindows: adaptiveRanges(input.shape[3], outputSize.1), name: "adaptive_max_pool2d")
}

/// Adaptive pooling's window `i` of `count` over `size`: `floor(i size / count) ..< ceil((i + 1) size / count)`.
private func adaptiveRanges(_ size: Int, _ count: Int) -> [Range<Int>] {
    (0..<count).map { ($0 * size / count)..<(($0 + 1) * size + count - 1) / count }
}

/// Window maxima shared by max and adaptive max pooling: output cell `(i, j)` is the
/// maximum over `rowWindows[i] x columnWindows[j]`. Remembers each window's first
/// maximum so the backward pass can route the gradient there.
private func windowMaximum(_ input: Tensor, rowWindows: [Range<Int>], columnWindows: [Range<Int>],
                           name: String) throws -> Tensor {
    let width = input.shape[3]
    let (outHeight, outWidth) = (rowWindows.count, columnWindows.count)
    let planes = input.shape[0] * input.shape[1], inputPlane = input.shape[2] * width, outputPlane = outHeight * outWidth
    let source = input.contiguous()
    let output = Tensor(uninitializedShape: [input.shape[0], input.shape[1], outHeight, outWidth])
    var argmax = [Int32](repeating: 0, count: planes * outputPlane)
    let x = source.floatPointer, y = output.floatPointer
    argmax.withUnsafeMutableBufferPointer { winners in
        rowWindows.withUnsafeBufferPointer { rowWindows in
            columnWindows.withUnsafeBufferPointer { columnWindows in
                parallelFor(planes, grain: Swift.max(1, 8_192 / Swift.max(outputPlane, 1))) { range in
                    for plane in range {
                        let base = x + plane * inputPlane, cell = plane * outputPlane
                        for oy in 0..<outHeight {
                            let rows = rowWindows[oy]
                            for ox in 0..<outWidth {
                                let columns = columnWindows[ox]
                                var best = -Float.infinity, bestIndex = rows.lowerBound * width + columns.lowerBound
                                for iy in rows {
                                    for ix in columns where base[iy * width + ix] > best {
                                        best = base[iy * width + ix]
                                        bestIndex = iy * width + ix
                                    }
                                }
                                y[cell + oy * outWidth + ox] = best
                                winners[cell + oy * outWidth + ox] = Int32(bestIndex)
                            }
                        }
                    }
                }
            }
        }
    }
    let inputShape = input.shape
    return output.recording(name, inputs: [input]) { g in
        let gradient = g.contiguous(), gradInput = Tensor.zeros(inputShape)
        let upstream = gradient.floatPointer, accumulated = gradInput.floatPointer
        argmax.withUnsafeBufferPointer { winners in
            parallelFor(planes, grain: Swift.max(1, 8_192 / Swift.max(outputPlane, 1))) { range in
                for plane in range {
                    for cell in 0..<outputPlane {
                        accumulated[plane * inputPlane + Int(winners[plane * outputPlane + cell])] +=
                            upstream[plane * outputPlane + cell]
                    }
                }
            }
        }
        return [gradInput]
    }
}

/// Average pooling over `[N, C, H, W]` (`torch.nn.functional.avg_pool2d`), with
/// PyTorch's divisor: the window clipped at the padded border when `countIncludePad`,
/// otherwise only the real input elements it covers.
public func avgPool2d(_ input: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                      ceilMode: Bool = false, countIncludePad: Bool = true) throws -> Tensor {
    let (rows, columns) = try poolingAxes(input, "avgPool2d", kernel: kernel, stride: stride, padding: padding,
                                          ceilMode: ceilMode)
    let windows = (0..<rows.output).flatMap { oy in
        (0..<columns.output).map { ox in
            let (rowRange, paddedRows) = rows.window(oy), (columnRange, paddedColumns) = columns.window(ox)
            let divisor = countIncludePad ? paddedRows * paddedColumns : rowRange.count * columnRange.count
            return (rowRange, columnRange, 1 / Float(Swift.max(divisor, 1)))
        }
    }
    return try windowAverage(input, outputSize: (rows.output, columns.output), windows: windows, name: "avg_pool2d")
}

/// Average pooling to a fixed output size; window `i` spans
/// `floor(i * H / out) ..< ceil((i + 1) * H / out)`. Output 1x1 is global average pooling.
public func adaptiveAvgPool2d(_ input: Tensor, outputSize: (Int, Int)) throws -> Tensor {
    guard input.rank == 4, outputSize.0 > 0, outputSize.1 > 0 else {
        throw TensorError("adaptiveAvgPool2d: needs [N, C, H, W] input and a positive size, got "
            + "\(describe(input.shape)) and \(outputSize)")
    }
    if outputSize == (1, 1) {
        return try input.mean(axes: [2, 3], keepingDimensions: true)
    }
    let windows = adaptiveRanges(input.shape[2], outputSize.0).flatMap { rowRange in
        adaptiveRanges(input.shape[3], outputSize.1).map { columnRange in
            (rowRange, columnRange, 1 / Float(rowRange.count * columnRange.count))
        }
    }
    return try windowAverage(input, outputSize: outputSize, windows: windows, name: "adaptive_avg_pool2d")
}

/// Weighted window sums shared by average and adaptive pooling: output cell `i` is
/// `scale_i * sum(input[rows_i, columns_i])`, per plane.
private func windowAverage(_ input: Tensor, outputSize: (Int, Int), windows: [(Range<Int>, Range<Int>, Float)],
                           name: String) throws -> Tensor {
    let (height, width) = (input.shape[2], input.shape[3])
    let planes = input.shape[0] * input.shape[1], inputPlane = height * width, outputPlane = windows.count
    let source = input.contiguous()
    let output = Tensor(uninitializedShape: [input.shape[0], input.shape[1], outputSize.0, outputSize.1])
    let x = source.floatPointer, y = output.floatPointer
    parallelFor(planes, grain: Swift.max(1, 8_192 / Swift.max(outputPlane, 1))) { range in
        for plane in range {
            let base = x + plane * inputPlane
            for (cell, (rowRange, columnRange, scale)) in windows.enumerated() {
                var total: Float = 0
                for iy in rowRange { for ix in columnRange { total += base[iy * width + ix] } }
                y[plane * outputPlane + cell] = total * scale
            }
        }
    }
    let inputShape = input.shape
    return output.recording(name, inputs: [input]) { g in
        let gradient = g.contiguous(), gradInput = Tensor.zeros(inputShape)
        let upstream = gradient.floatPointer, accumulated = gradInput.floatPointer
        parallelFor(planes, grain: Swift.max(1, 8_192 / Swift.max(outputPlane, 1))) { range in
            for plane in range {
                let base = accumulated + plane * inputPlane
                for (cell, (rowRange, columnRange, scale)) in windows.enumerated() {
                    let share = upstream[plane * outputPlane + cell] * scale
                    for iy in rowRange { for ix in columnRange { base[iy * width + ix] += share } }
                }
            }
        }
        return [gradInput]
    }
}
