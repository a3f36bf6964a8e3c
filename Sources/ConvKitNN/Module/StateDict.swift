/// Saving and loading a model's state by checkpoint key, strictly by default.
extension Module {
    /// Parameters and buffers by checkpoint key, in PyTorch's `state_dict()` order.
    public func stateDict() -> [(String, Tensor)] {
        namedState(includeParameters: true, includeBuffers: true)
    }

    /// Copies `state` into this module's parameters and buffers in place, so optimizers
    /// holding them keep working.
    ///
    /// Strict loading (the default) changes nothing unless every key matches with the
    /// right shape, and throws a ``StateDictMismatch`` listing missing, unexpected and
    /// mis-shaped keys. Non-strict loading copies what fits and returns the same report.
    /// A `module.` prefix, left by `DataParallel`-wrapped models, is removed first.
    @discardableResult
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws -> StateDictMismatch {
        let state = Self.strippingWrapperPrefix(state)
        let own = stateDict()
        var report = StateDictMismatch()
        var matched: [(Tensor, Tensor)] = []
        for (key, target) in own {
            guard let source = state[key] else {
                report.missingKeys.append(key)
                continue
            }
            guard source.shape == target.shape else {
                report.shapeMismatches.append(.init(key: key, expected: target.shape, found: source.shape))
                continue
            }
            matched.append((target, source))
        }
        let ownKeys = Set(own.map(\.0))
        report.unexpectedKeys = state.keys.filter { !ownKeys.contains($0) }.sorted()
        if strict && !report.isEmpty { throw report }
        for (target, source) in matched { try target.copyValues(from: source) }
        return report
    }

    /// `state` without the `module.` prefix `DataParallel` puts on every key (unchanged when any key lacks it).
    public static func strippingWrapperPrefix(_ state: [String: Tensor]) -> [String: Tensor] {
        let prefix = "module."
        guard !state.isEmpty, state.keys.allSatisfy({ $0.hasPrefix(prefix) }) else { return state }
        return Dictionary(uniqueKeysWithValues: state.map { (String($0.key.dropFirst(prefix.count)), $0.value) })
    }
}

/// What did not fit when loading a state dict; thrown by strict loading.
public struct StateDictMismatch: Error, CustomStringConvertible, Equatable {
    public struct ShapeMismatch: Equatable, Sendable {
        public let key: String
        public let expected: [Int]
        public let found: [Int]
    }

    public var missingKeys: [String] = []
    public var unexpectedKeys: [String] = []
    public var shapeMismatches: [ShapeMismatch] = []

    public var isEmpty: Bool { missingKeys.isEmpty && unexpectedKeys.isEmpty && shapeMismatches.isEmpty }

    public var description: String {
        var lines = ["the checkpoint does not fit the model:"]
        func list(_ title: String, _ keys: [String]) {
            guard !keys.isEmpty else { return }
            let shown = keys.prefix(10).joined(separator: ", ") + (keys.count > 10 ? ", … (\(keys.count) in all)" : "")
            lines.append("  \(title) (\(keys.count)): \(shown)")
        }
        list("missing keys", missingKeys)
        list("unexpected keys", unexpectedKeys)
        for mismatch in shapeMismatches.prefix(10) {
            lines.append("  shape mismatch for \(mismatch.key): model has \(mismatch.expected), checkpoint has \(mismatch.found)")
        }
        if !unexpectedKeys.isEmpty || !missingKeys.isEmpty {
            lines.append("  (load non-strictly to copy what fits, or replace the classifier head before loading)")
        }
        return lines.joined(separator: "\n")
    }
}
