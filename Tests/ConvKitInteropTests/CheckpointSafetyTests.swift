import ConvKitCore
import ConvKitInterop
import Foundation
import Testing

/// Checkpoints come from the internet: hostile, whole-model, truncated and corrupt
/// files must all fail with a message naming the file, never execute or crash.
@Suite struct CheckpointSafetyTests {
    /// Python's unpickler would run `touch <marker>` for both files (`os.system` pickles as `posix.system`).
    @Test(arguments: [("malicious_zip", "posix.system"), ("malicious_legacy", "__builtin__.eval")])
    func maliciousGlobalsAreRefusedWithoutRunning(_ name: String, _ global: String) throws {
        let marker = "/tmp/convkit-pickle-was-executed"
        try? FileManager.default.removeItem(atPath: marker)
        let url = try checkpointURL(name)
        let message = formatErrorMessage { _ = try PyTorchCheckpoint.read(url) }
        #expect(message.contains("refusing pickle global \(global)"), "\(message)")
        #expect(message.hasPrefix(url.path))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func wholeModelIsRefusedWithAdvice() throws {
        let message = formatErrorMessage { _ = try PyTorchCheckpoint.read(checkpointURL("full_model")) }
        #expect(message.contains("torch.nn.modules.linear.Linear") && message.contains("model.state_dict()"), "\(message)")
    }

    @Test func trainingStateDictionaryIsNotAStateDict() throws {
        let message = formatErrorMessage { _ = try PyTorchCheckpoint.read(checkpointURL("training_state")) }
        #expect(message.contains("key 'model' holds a dict, not a tensor") && message.contains("state_dict()"), "\(message)")
    }

    @Test func unsupportedDtypeIsNamed() throws {
        let message = formatErrorMessage { _ = try PyTorchCheckpoint.read(checkpointURL("complex")) }
        #expect(message.contains("unsupported dtype torch.ComplexFloatStorage"), "\(message)")
    }

    @Test func missingStorageRecordIsNamed() throws {
        let message = formatErrorMessage { _ = try PyTorchCheckpoint.read(checkpointURL("missing_storage")) }
        #expect(message.contains("missing storage record zip_views/data/0"), "\(message)")
    }

    @Test func otherFilesAreNotCheckpoints() throws {
        let npy = NumPyFile.encode(Tensor([1, 2, 3]))
        let message = formatErrorMessage { _ = try PyTorchCheckpoint.decode(npy, name: "weights.npy") }
        #expect(message == "weights.npy: not a PyTorch checkpoint: it is neither a zip archive nor a pickle")
        let plainPickle = Data([0x80, 0x02, 0x4B, 0x07, 0x2E])  // pickle.dumps(7, protocol=2)
        let pickleMessage = formatErrorMessage { _ = try PyTorchCheckpoint.decode(plainPickle, name: "seven.pkl") }
        #expect(pickleMessage.contains("seven.pkl: a pickle without PyTorch's magic number"), "\(pickleMessage)")
        let missing = URL(fileURLWithPath: "/nonexistent/model.pth")
        #expect(formatErrorMessage { _ = try PyTorchCheckpoint.read(missing) }.contains("cannot read /nonexistent/model.pth"))
    }

    /// Every prefix of a checkpoint is a truncated download; each must throw.
    @Test(arguments: ["zip_views", "legacy", "deflated", "zip64"])
    func truncatedCopiesThrow(_ name: String) throws {
        let data = try Data(contentsOf: checkpointURL(name))
        for length in 0..<data.count {
            let message = formatErrorMessage { _ = try PyTorchCheckpoint.decode(data.prefix(length), name: "cut.pth") }
            #expect(message.hasPrefix("cut.pth: "))
        }
    }

    @Test func truncatedStorageIsReported() throws {
        let data = try Data(contentsOf: checkpointURL("legacy"))
        let message = formatErrorMessage { _ = try PyTorchCheckpoint.decode(data.dropLast(3), name: "cut.pth") }
        #expect(message.contains("truncated"), "\(message)")
    }

    /// Flipping any single byte may change a value or break the file, but must never
    /// crash or read out of bounds.
    @Test(arguments: ["zip_views", "legacy"])
    func corruptedBytesNeverCrash(_ name: String) throws {
        let data = try Data(contentsOf: checkpointURL(name))
        for position in data.indices {
            var corrupted = data
            corrupted[position] ^= 0xFF
            _ = try? PyTorchCheckpoint.decode(corrupted)
        }
    }
}
