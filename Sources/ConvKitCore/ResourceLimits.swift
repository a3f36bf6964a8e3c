import Foundation

/// The bounds that readers and commands check before they allocate, in one place.
///
/// Files come from anywhere: a 1 KB JPEG can claim 65500x65500 pixels, a 650-byte
/// checkpoint a [10^6, 10^6] view. Each bound is generous for real data and can be
/// raised (or lowered, in tests) with the environment variable named beside it.
public struct ResourceLimits: Sendable, Equatable {
    /// Largest image decoded or produced by a transform, in pixels (PIL's `MAX_IMAGE_PIXELS`).
    public var maxImagePixels = 178_956_970
    /// Deepest nesting of tuples, lists and dicts a pickle may have.
    public var maxPickleDepth = 1_000
    /// How many times more elements a saved view may address than its storage holds
    /// (stride-0 views are legal, but a 1-element storage must not become a 4 TB tensor).
    public var maxViewExpansion = 1_024
    /// Most elements one tensor read from a file, or built from a size given on the command line, may have.
    public var maxTensorElements = 1 << 31
    /// Most classes a classifier head may be built with.
    public var maxClasses = 100_000
    /// Longest augmentation spec, in characters.
    public var maxSpecLength = 10_000
    /// Deepest nesting of `randomapply`/`randomchoice` steps in an augmentation spec.
    public var maxSpecDepth = 16
    /// Most images one `convkit augment` grid may hold.
    public var maxAugmentCount = 1_024
    /// Most entries a dataset archive may list.
    public var maxArchiveEntries = 10_000
    /// Largest file a dataset archive may hold, in bytes (CIFAR-100's train.bin is 154 MB).
    public var maxArchiveEntryBytes = 1 << 30

    public init() {}

    /// The environment variable that overrides each limit.
    public static var variables: [(name: String, keyPath: WritableKeyPath<ResourceLimits, Int>)] { [
        ("CONVKIT_MAX_IMAGE_PIXELS", \.maxImagePixels),
        ("CONVKIT_MAX_PICKLE_DEPTH", \.maxPickleDepth),
        ("CONVKIT_MAX_VIEW_EXPANSION", \.maxViewExpansion),
        ("CONVKIT_MAX_TENSOR_ELEMENTS", \.maxTensorElements),
        ("CONVKIT_MAX_CLASSES", \.maxClasses),
        ("CONVKIT_MAX_SPEC_LENGTH", \.maxSpecLength),
        ("CONVKIT_MAX_SPEC_DEPTH", \.maxSpecDepth),
        ("CONVKIT_MAX_AUGMENT_COUNT", \.maxAugmentCount),
        ("CONVKIT_MAX_ARCHIVE_ENTRIES", \.maxArchiveEntries),
        ("CONVKIT_MAX_ARCHIVE_ENTRY_BYTES", \.maxArchiveEntryBytes),
    ] }

    /// The defaults with every override found in `environment` applied.
    /// - Throws: ``TensorError`` naming the variable when a value is not a positive integer.
    public static func reading(_ environment: [String: String]) throws -> ResourceLimits {
        var limits = ResourceLimits()
        for (name, keyPath) in variables {
            guard let text = environment[name] else { continue }
            guard let value = Int(text.replacingOccurrences(of: "_", with: "")), value > 0 else {
                throw TensorError("\(name)=\(text) is not a positive integer; unset it or give a number such as \(limits[keyPath: keyPath])")
            }
            limits[keyPath: keyPath] = value
        }
        return limits
    }

    /// The limits in force for this process: the defaults with the environment's overrides.
    /// A malformed override is reported once on standard error and the default kept, so a
    /// typo in a variable never turns a bound off.
    public static var current: ResourceLimits { processLimits }

    private static let processLimits: ResourceLimits = {
        do {
            return try reading(ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("warning: \(error); using the default limits\n".utf8))
            return ResourceLimits()
        }
    }()

    /// The number of elements of `shape`, or an error naming `what` when a dimension is
    /// negative, the product overflows `Int`, or it exceeds ``maxTensorElements``.
    ///
    /// The product of the non-zero dimensions must fit `Int` too: an empty tensor's strides
    /// are still products of the dimensions after its zero, so `(0, 2^40, 2^40)` would
    /// overflow when its strides are computed.
    public func elementCount(of shape: [Int], for what: @autoclosure () -> String) throws -> Int {
        var nonZeroExtent = 1
        for dimension in shape {
            guard dimension >= 0 else {
                throw TensorError("\(what()) has a negative dimension in shape \(describe(shape))")
            }
            let (product, overflow) = nonZeroExtent.multipliedReportingOverflow(by: max(dimension, 1))
            guard !overflow else {
                throw TensorError("\(what()) has shape \(describe(shape)), whose element count overflows a 64-bit integer")
            }
            nonZeroExtent = product
        }
        let count = shape.contains(0) ? 0 : nonZeroExtent
        guard count <= maxTensorElements else {
            throw TensorError("\(what()) has shape \(describe(shape)) = \(count) elements, more than the limit of \(maxTensorElements); "
                              + "raise CONVKIT_MAX_TENSOR_ELEMENTS if the file is trusted")
        }
        return count
    }
}
