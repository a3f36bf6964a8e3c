import ConvKitNN

/// A layer-by-layer description of a model, like torchinfo's summary: every leaf module
/// in execution order with its output shape, parameters, multiply-adds, and — for
/// convolutions and pooling — its receptive field and stride relative to the input.
public struct ModelSummary {
    public struct Row {
        public let path: String
        public let type: String
        public let outputShape: [Int]
        public let parameters: Int
        public let trainable: Bool
        public let multiplyAdds: Int
        /// Receptive field side and cumulative stride in input pixels (spatial layers only).
        public let receptiveField: (size: Int, stride: Int)?
    }

    public let rows: [Row]
    public let totalParameters: Int
    public let trainableParameters: Int
    public var totalMultiplyAdds: Int { rows.reduce(0) { $0 + $1.multiplyAdds } }

    /// Runs `model` once in evaluation mode, without a graph, on a zero input of `inputShape` (C x H x W, batch 1).
    public init(_ model: Module, inputShape: [Int]) throws {
        let leaves = model.namedModules().filter { $0.1.namedChildren.isEmpty && !$0.0.isEmpty }
        var rows: [Row] = []
        // Receptive field and stride of each tensor seen so far, by identity and in order.
        var geometry: [ObjectIdentifier: (size: Int, stride: Int)] = [:]
        var recent: [(shape: [Int], geometry: (size: Int, stride: Int))] = []
        let input = Tensor.zeros([1] + inputShape)
        geometry[ObjectIdentifier(input)] = (1, 1)
        recent.append((input.shape, (1, 1)))
        func inputGeometry(_ tensor: Tensor) -> (size: Int, stride: Int) {
            // Tensors made by plain ops between modules (a ReLU call, a residual sum) are not
            // seen; the most recent tensor of the same spatial size stands in for them.
            if let known = geometry[ObjectIdentifier(tensor)] { return known }
            let spatial = Array(tensor.shape.dropFirst(2))
            return recent.last { Array($0.shape.dropFirst(2)) == spatial }?.geometry ?? recent.last!.geometry
        }
        var tokens: [ForwardHookToken] = []
        for (path, module) in leaves {
            tokens.append(module.addForwardHook { module, input, output in
                let before = inputGeometry(input)
                var after = before
                var spatial: (kernel: Int, stride: Int)?
                var multiplyAdds = 0
                switch module {
                case let convolution as Conv2d:
                    let kernel = convolution.dilation.0 * (convolution.weight.shape[2] - 1) + 1
                    spatial = (kernel, convolution.stride.0)
                    multiplyAdds = output.count * convolution.weight.shape[1] * convolution.weight.shape[2] * convolution.weight.shape[3]
                case let pool as MaxPool2d:
                    spatial = (pool.kernelSize.0, pool.stride.0)
                case let pool as AvgPool2d:
                    spatial = (pool.kernelSize.0, pool.stride.0)
                case let linear as Linear:
                    multiplyAdds = output.count * linear.inFeatures
                default:
                    break
                }
                if let (kernel, stride) = spatial {
                    after = (before.size + (kernel - 1) * before.stride, before.stride * stride)
                }
                geometry[ObjectIdentifier(output)] = after
                recent.append((output.shape, after))
                let parameters = module.namedParameters()
                rows.append(Row(path: path, type: String(describing: type(of: module)), outputShape: output.shape,
                                parameters: parameters.reduce(0) { $0 + $1.1.count },
                                trainable: parameters.contains { $0.1.requiresGrad }, multiplyAdds: multiplyAdds,
                                receptiveField: spatial == nil ? nil : after))
            })
        }
        defer { tokens.forEach { $0.remove() } }
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        _ = try withNoGrad { try model(input) }
        self.rows = rows
        totalParameters = model.parameterCount
        trainableParameters = model.trainableParameters().reduce(0) { $0 + $1.count }
    }

    /// The table as text, with totals.
    public var table: String {
        func format(_ value: Int) -> String {
            let digits = Array(String(value))
            return String(digits.enumerated().flatMap { index, digit in
                (index > 0 && (digits.count - index) % 3 == 0 ? [","] : []) + [digit]
            })
        }
        let header = ["Layer", "Type", "Output shape", "Params", "Train", "Mult-adds", "RF", "Stride"]
        var lines = [header]
        for row in rows {
            lines.append([row.path, row.type, row.outputShape.map(String.init).joined(separator: "x"), format(row.parameters),
                          row.parameters == 0 ? "-" : (row.trainable ? "yes" : "frozen"), format(row.multiplyAdds),
                          row.receptiveField.map { String($0.size) } ?? "", row.receptiveField.map { String($0.stride) } ?? ""])
        }
        let widths = header.indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
        var text = lines.map { line in
            line.enumerated().map { column, cell in
                column < 3 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
        }
        text.insert(String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1)), at: 1)
        text.append("")
        text.append("Total parameters: \(format(totalParameters)) (trainable \(format(trainableParameters)), "
            + "frozen \(format(totalParameters - trainableParameters)))")
        text.append(String(format: "Total mult-adds: %.2f G", Double(totalMultiplyAdds) / 1e9) + " (\(format(totalMultiplyAdds)))")
        return text.joined(separator: "\n")
    }
}
