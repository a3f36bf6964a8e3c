import ConvKitCore
import ConvKitInterop
import Foundation
import Testing

/// Checkpoints written by `tools/fixtures/pytorch_checkpoints.py`: `Fixtures/<name>.pth`,
/// with the tensors PyTorch reports in `Fixtures/<name>/<key>.npy` and the saved key
/// order in `Fixtures/<name>/keys.txt`.
func checkpointURL(_ name: String) throws -> URL {
    try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "pth"),
                 "missing fixture \(name).pth; run tools/fixtures/pytorch_checkpoints.py")
}

func expectedKeys(_ name: String) throws -> [String] {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)/keys", withExtension: "txt"))
    return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
}

func expectedTensor(_ name: String, _ key: String) throws -> Tensor {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)/\(key)", withExtension: "npy"))
    return try NumPyFile.read(url)
}

/// Same dtype, shape and exactly the same elements.
func expectIdentical(_ actual: Tensor, _ expected: Tensor, _ comment: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.dtype == expected.dtype, "\(comment): dtype", sourceLocation: sourceLocation)
    #expect(actual.shape == expected.shape, "\(comment): shape", sourceLocation: sourceLocation)
    guard actual.dtype == expected.dtype, actual.shape == expected.shape else { return }
    switch actual.dtype {
    case .float32: #expect(actual.scalars.map(\.bitPattern) == expected.scalars.map(\.bitPattern), "\(comment)",
                           sourceLocation: sourceLocation)
    case .int64: #expect(actual.integers == expected.integers, "\(comment)", sourceLocation: sourceLocation)
    case .uint8: #expect(actual.bytes == expected.bytes, "\(comment)", sourceLocation: sourceLocation)
    }
}

/// Runs `body` and returns the message of the ``PyTorchCheckpoint/FormatError`` it must throw.
func formatErrorMessage(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> String {
    let error = #expect(throws: PyTorchCheckpoint.FormatError.self, sourceLocation: sourceLocation) { try body() }
    return error?.description ?? ""
}
