import ConvKitCore
import ConvKitInterop
import ConvKitTestSupport
import Foundation
import Testing

/// Files built to break the readers (issue 11): each must end in one clear error, in bounded
/// time and memory, never a trap or a stack overflow.
@Suite struct HostilePickleTests {
    /// Legacy checkpoints start with a bare pickle, zip checkpoints hold one as data.pkl.
    static func checkpoints(holding pickle: [UInt8]) -> [(String, [UInt8])] {
        [("legacy", pickle), ("zip", HostileFiles.storedZip([("archive/data.pkl", pickle)]))]
    }

    @Test(arguments: HostileFiles.Container.allCases)
    func hundredThousandNestedContainersAreRefused(_ container: HostileFiles.Container) throws {
        for (format, bytes) in Self.checkpoints(holding: HostileFiles.nestedPickle(container, depth: 100_000)) {
            let message = formatErrorMessage { _ = try PyTorchCheckpoint.decode(Data(bytes), name: "deep.pth") }
            #expect(message.hasPrefix("deep.pth: the pickle nests tuples, lists and dicts more than 1000 deep"), "\(format): \(message)")
            #expect(message.contains("CONVKIT_MAX_PICKLE_DEPTH"))
        }
    }

    /// Building and freeing pickle values never recurses, so even a thread with a small
    /// stack survives a 100k-deep pickle, refused by default or read with the limit raised.
    @Test func smallStacksSurviveDeepPickles() throws {
        final class Messages: @unchecked Sendable { var all: [String] = [] }  // written before the semaphore signals
        let finished = DispatchSemaphore(value: 0)
        let messages = Messages()
        var raised = ResourceLimits()
        raised.maxPickleDepth = 1_000_000
        let limitsToTry = [ResourceLimits(), raised]
        let thread = Thread {
            for container in HostileFiles.Container.allCases {
                for limits in limitsToTry {
                    do { _ = try PyTorchCheckpoint.decode(Data(HostileFiles.nestedPickle(container, depth: 100_000)), limits: limits) }
                    catch { messages.all.append("\(error)") }
                }
            }
            finished.signal()
        }
        thread.stackSize = 512 << 10
        thread.start()
        finished.wait()
        let all = messages.all
        #expect(all.count == 6)
        #expect(all.filter { $0.contains("more than 1000 deep") }.count == 3, "\(all)")
        // With the limit raised the pickle is read, then found to lack PyTorch's magic number.
        #expect(all.filter { $0.contains("magic number") }.count == 3, "\(all)")
    }

    @Test func depthLimitIsConfigurable() throws {
        var limits = ResourceLimits()
        limits.maxPickleDepth = 10
        let message = formatErrorMessage {
            _ = try PyTorchCheckpoint.decode(Data(HostileFiles.nestedPickle(.list, depth: 11)), limits: limits)
        }
        #expect(message.contains("more than 10 deep"), "\(message)")
        let allowed = formatErrorMessage {
            _ = try PyTorchCheckpoint.decode(Data(HostileFiles.nestedPickle(.list, depth: 10)), limits: limits)
        }
        #expect(allowed.contains("magic number"), "\(allowed)")
    }

    /// A list appended to itself is a cycle: its depth has no bound.
    @Test func listAppendedToItselfIsRefused() throws {
        let pickle: [UInt8] = [0x80, 2, 0x5D, 0x71, 0, 0x68, 0, 0x61, 0x68, 0, 0x61, 0x2E]  // l = []; l.append(l); l.append(l)
        let message = formatErrorMessage { _ = try PyTorchCheckpoint.decode(Data(pickle)) }
        #expect(message.contains("deepens a list or dict after placing it inside another value"), "\(message)")
    }
}

@Suite struct HostileViewTests {
    func decode(_ view: HostileFiles.TensorView, storage: [Float], limits: ResourceLimits = ResourceLimits()) throws
        -> [(String, Tensor)] {
        try PyTorchCheckpoint.decode(Data(HostileFiles.zipCheckpoint([view], storages: [view.storageKey: storage])),
                                     name: "view.pth", limits: limits)
    }

    @Test func strideZeroViewOfOneElementIsRefusedBeforeAllocating() throws {
        let huge = HostileFiles.TensorView(name: "w", storageKey: "0", storageCount: 1, shape: [1_000_000, 1_000_000], strides: [0, 0])
        let message = formatErrorMessage { _ = try decode(huge, storage: [1]) }
        #expect(message == "view.pth: tensor 'w' has shape [1000000, 1000000] = 1000000000000 elements, more than the "
            + "limit of 2147483648; raise CONVKIT_MAX_TENSOR_ELEMENTS if the file is trusted", "\(message)")
        // Under the element limit, but 1.6 billion copies of one float: the expansion bound catches it.
        let wide = HostileFiles.TensorView(name: "w", storageKey: "0", storageCount: 1, shape: [40_000, 40_000], strides: [0, 0])
        let expansion = formatErrorMessage { _ = try decode(wide, storage: [1]) }
        #expect(expansion.contains("1024 times the 1 its storages hold; raise CONVKIT_MAX_VIEW_EXPANSION"), "\(expansion)")
    }

    @Test func modestStrideZeroViewsStillLoad() throws {
        let broadcast = HostileFiles.TensorView(name: "b", storageKey: "0", storageCount: 3, shape: [4, 3], strides: [0, 1])
        let tensors = try decode(broadcast, storage: [1, 2, 3])
        #expect(tensors.first?.1.shape == [4, 3] && tensors.first?.1.scalars == [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3])
        var limits = ResourceLimits()
        limits.maxViewExpansion = 2
        let message = formatErrorMessage { _ = try decode(broadcast, storage: [1, 2, 3], limits: limits) }
        #expect(message.contains("past 6 elements, 2 times the 3"), "\(message)")
    }

    @Test(arguments: [([1 << 32, 1 << 32], "whose element count overflows a 64-bit integer"),
                      ([3, -1], "has a negative dimension in shape [3, -1]"),
                      ([0, 1 << 40, 1 << 40], "whose element count overflows a 64-bit integer"),
                      ([0, 1 << 20, 1 << 20], "reaches past the end of its storage")])
    func impossibleShapesAreErrors(_ shape: [Int], _ expected: String) throws {
        let view = HostileFiles.TensorView(name: "w", storageKey: "0", storageCount: 1, offset: 2, shape: shape, strides: Array([1, 1, 1].suffix(shape.count)))
        let message = formatErrorMessage { _ = try decode(view, storage: [1]) }
        #expect(message.contains(expected), "\(message)")
    }

    @Test func storageRecordLargerThanItsElementsIsRefused() throws {
        let view = HostileFiles.TensorView(name: "w", storageKey: "0", storageCount: 1, shape: [1], strides: [1])
        let message = formatErrorMessage { _ = try decode(view, storage: [1, 2]) }
        #expect(message.contains("storage record archive/data/0 holds 8 bytes, more than its 1 float32 elements need (4)"),
                "\(message)")
    }

    @Test func zipDirectoryClaimingMoreEntriesThanItHoldsIsAnError() throws {
        var archive = HostileFiles.storedZip([("archive/data.pkl", HostileFiles.stateDictPickle([]))])
        archive.replaceSubrange((archive.count - 12)..<(archive.count - 10), with: [0xFF, 0xFF])  // total entries
        let message = formatErrorMessage { _ = try PyTorchCheckpoint.decode(Data(archive)) }
        #expect(message.contains("corrupt zip archive") || message.contains("truncated"), "\(message)")
    }
}

@Suite struct HostileSafeTensorsTests {
    func file(header: String, body: [UInt8] = [], length: UInt64? = nil) -> Data {
        Data(HostileFiles.littleEndian(length ?? UInt64(header.utf8.count)) + Array(header.utf8) + body)
    }

    func message(_ data: Data) -> String {
        let error = #expect(throws: SafeTensorsFile.FormatError.self) { _ = try SafeTensorsFile.decode(data, name: "x.safetensors") }
        return error?.description ?? ""
    }

    @Test func headerLengthNearTwoToTheSixtyThirdIsAnError() {
        for length in [UInt64(1) << 63 - 8, UInt64.max, 200_000_000] {
            let text = message(file(header: "{}", length: length))
            #expect(text.contains("header length \(length) exceeds"), "\(text)")
        }
    }

    @Test(arguments: [("[4294967296, 4294967296]", "overflows a 64-bit integer"), ("[-2, 2]", "negative dimension"),
                      ("[65536, 65536]", "more than the limit of 2147483648")])
    func impossibleShapesAreErrors(_ shape: String, _ expected: String) {
        let text = message(file(header: #"{"w":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,16]}}"#, body: .init(repeating: 0, count: 16)))
        #expect(text.contains(expected), "\(text)")
    }

    @Test func byteRangesMustTileTheDataExactly() {
        let overlap = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        #expect(message(file(header: overlap, body: .init(repeating: 0, count: 12)))
            == "x.safetensors: tensor 'b' starts at byte 4, overlapping the tensor data before it (which ends at 8); the file is corrupt")
        let gap = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        #expect(message(file(header: gap, body: .init(repeating: 0, count: 12))).contains("leaving a gap"))
        let short = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        #expect(message(file(header: short, body: .init(repeating: 0, count: 12)))
            == "x.safetensors: the tensors cover 4 of the 12 data bytes; the file is corrupt")
    }

    @Test func deeplyNestedJSONHeaderIsAnError() {
        let header = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(message(file(header: header)).contains("not JSON"))
    }
}

@Suite struct HostileNumPyTests {
    func npy(descr: String, shape: String, body: [UInt8] = []) -> Data {
        let header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }\n"
        return Data([0x93] + Array("NUMPY".utf8) + [1, 0] + HostileFiles.littleEndian(UInt16(header.utf8.count)) + Array(header.utf8) + body)
    }

    @Test(arguments: [("<f4", "(-1, 3)", "has a negative dimension in shape [-1, 3]"),
                      ("<f4", "(4294967296, 4294967296)", "whose element count overflows a 64-bit integer"),
                      // Found by fuzz-npy: empty, yet its strides overflow.
                      ("<u2", "(0, 4294967296, 4294967296)", "whose element count overflows a 64-bit integer"),
                      ("<f4", "(99999999999999999999,)", "is not a tuple of 64-bit integers"),
                      ("<f4", "(3, x)", "is not a tuple of 64-bit integers"),
                      ("<f4", "(3, 4", "'shape' tuple is not closed"),
                      ("<i0", "(3,)", "unsupported dtype <i0"),
                      ("<f-4", "(3,)", "unsupported dtype <f-4"),
                      (">f4", "(3,)", "unsupported dtype >f4")])
    func hostileHeadersAreErrors(_ descr: String, _ shape: String, _ expected: String) {
        let error = #expect(throws: NumPyFile.FormatError.self) {
            _ = try NumPyFile.decode(npy(descr: descr, shape: shape, body: .init(repeating: 0, count: 64)), name: "x.npy")
        }
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
    }

    @Test func unsignedValuesBeyondInt64AreErrors() throws {
        let error = #expect(throws: NumPyFile.FormatError.self) {
            _ = try NumPyFile.decode(npy(descr: "<u8", shape: "(1,)", body: .init(repeating: 0xFF, count: 8)), name: "x.npy")
        }
        #expect(error?.description.contains("does not fit") == true)
        #expect(try NumPyFile.decode(npy(descr: "<u2", shape: "(1,)", body: [0xFF, 0xFF])).integers == [65535])
    }
}
