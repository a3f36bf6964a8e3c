/// Layers applied one after another, named `0`, `1`, … in order — parameterless layers
/// (ReLU, pooling) use up an index too, so `features.28.weight` means what it means in
/// torchvision's VGG16.
///
/// ```swift
/// let features = Sequential(Conv2d(3, 64, kernelSize: 3, padding: 1), ReLU(), MaxPool2d(2))
/// ```
public final class Sequential: Module {
    public private(set) var layers: [Module]

    public init(_ layers: [Module]) {
        self.layers = layers
        super.init()
    }

    public convenience init(_ layers: Module...) { self.init(layers) }

    override public var namedChildren: [(String, Module)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        try layers.reduce(input) { try $1($0) }
    }

    public subscript(index: Int) -> Module { layers[index] }

    public var count: Int { layers.count }

    /// Replaces layer `index` (for a new classifier head, say), keeping the numbering.
    public func replaceLayer(at index: Int, with layer: Module) throws {
        guard layers.indices.contains(index) else {
            throw TensorError("Sequential has \(layers.count) layers; there is no layer \(index) to replace")
        }
        layers[index] = layer
        layer.train(isTraining)
    }
}

/// Passes its input through unchanged; a placeholder where an architecture drops a layer.
public final class Identity: Module {
    override public init() { super.init() }

    override public func forward(_ input: Tensor) throws -> Tensor { input }
}

/// Flattens dimensions `startAxis...endAxis` (by default all but the batch axis).
public final class Flatten: Module {
    public let startAxis: Int
    public let endAxis: Int

    public init(startAxis: Int = 1, endAxis: Int = -1) {
        self.startAxis = startAxis
        self.endAxis = endAxis
        super.init()
    }

    override public func forward(_ input: Tensor) throws -> Tensor {
        try input.flattened(from: startAxis, to: endAxis)
    }
}
