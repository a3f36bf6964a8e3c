/// An error from a tensor operation, phrased for the person who called it:
/// what was wrong (with the shapes involved) and, where it helps, what to do.
public struct TensorError: Error, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Formats a shape the way PyTorch prints it: `[16, 3, 224, 224]`.
func describe(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
