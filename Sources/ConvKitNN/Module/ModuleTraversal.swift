/// Walking the module tree by dotted path.
extension Module {
    /// This module (path `""`) and every descendant, parents before children.
    public func namedModules() -> [(String, Module)] {
        var result: [(String, Module)] = [("", self)]
        for (key, child) in namedChildren {
            result += child.namedModules().map { path, module in (path.isEmpty ? key : key + "." + path, module) }
        }
        return result
    }

    /// Every parameter with its checkpoint key, frozen ones included.
    public func namedParameters() -> [(String, Tensor)] { namedState(includeParameters: true, includeBuffers: false) }

    /// Every buffer (running statistics, counters) with its checkpoint key.
    public func namedBuffers() -> [(String, Tensor)] { namedState(includeParameters: false, includeBuffers: true) }

    /// The parameters an optimizer should update: those not frozen.
    public func trainableParameters() -> [Tensor] { namedParameters().map(\.1).filter(\.requiresGrad) }

    /// Number of scalar parameters (trainable and frozen), as torchvision counts them.
    public var parameterCount: Int { namedParameters().reduce(0) { $0 + $1.1.count } }

    /// The descendant at a dotted path such as `layer4.1.conv2`, or `nil`.
    public func module(at path: String) -> Module? {
        namedModules().first { $0.0 == path }?.1
    }

    /// The descendant at `path`, or an error that lists every valid path (for paths users type).
    public func requiredModule(at path: String) throws -> Module {
        if !path.isEmpty, let module = module(at: path) { return module }
        let paths = namedModules().map(\.0).filter { !$0.isEmpty }
        throw TensorError("no layer '\(path)' in \(type(of: self)); layers: \(paths.joined(separator: ", "))")
    }

    func namedState(includeParameters: Bool, includeBuffers: Bool) -> [(String, Tensor)] {
        var result: [(String, Tensor)] = []
        if includeParameters { result += ownParameters }
        if includeBuffers { result += ownBuffers }
        for (key, child) in namedChildren {
            result += child.namedState(includeParameters: includeParameters, includeBuffers: includeBuffers)
                .map { (key + "." + $0.0, $0.1) }
        }
        return result
    }
}

// MARK: - Freezing

extension Module {
    /// Stops gradients for the parameters whose keys match any of `patterns`
    /// (globs: `*` matches within one path segment, `**` across segments; a bare module
    /// path such as `layer1` matches everything below it). Nothing is recorded for
    /// frozen parameters, so no backward pass runs through a frozen prefix.
    /// Returns the keys frozen; a pattern that matches nothing is an error.
    @discardableResult
    public func freeze(_ patterns: [String] = ["**"]) throws -> [String] {
        try setRequiresGrad(false, matching: patterns)
    }

    /// Lets gradients flow again to matching parameters. Buffers are never thawed:
    /// they are not parameters.
    @discardableResult
    public func unfreeze(_ patterns: [String] = ["**"]) throws -> [String] {
        try setRequiresGrad(true, matching: patterns)
    }

    private func setRequiresGrad(_ flag: Bool, matching patterns: [String]) throws -> [String] {
        let parameters = namedParameters()
        var changed: [String] = []
        for pattern in patterns {
            let matches = parameters.filter { KeyPattern(pattern).matches($0.0) }
            guard !matches.isEmpty else {
                let sample = parameters.prefix(5).map(\.0).joined(separator: ", ")
                throw TensorError("no parameter matches '\(pattern)'; keys look like: \(sample)")
            }
            for (key, tensor) in matches {
                tensor.requiresGrad = flag
                changed.append(key)
            }
        }
        return changed
    }
}

/// A glob over dotted keys: `*` is any run of characters within a segment, `**` any run
/// across segments; a pattern without wildcards also matches every key beneath it.
struct KeyPattern {
    let pattern: String

    init(_ pattern: String) { self.pattern = pattern }

    func matches(_ key: String) -> Bool {
        if !pattern.contains("*") { return key == pattern || key.hasPrefix(pattern + ".") }
        return Self.match(Array(pattern), Array(key))
    }

    private static func match(_ pattern: [Character], _ key: [Character]) -> Bool {
        // Dynamic programming over (pattern position, key position).
        var reachable = Array(repeating: Array(repeating: false, count: key.count + 1), count: pattern.count + 1)
        reachable[0][0] = true
        var p = 0
        while p < pattern.count {
            let isDoubleStar = pattern[p] == "*" && p + 1 < pattern.count && pattern[p + 1] == "*"
            let width = isDoubleStar ? 2 : 1
            for k in 0...key.count where reachable[p][k] {
                if pattern[p] == "*" {
                    var end = k
                    reachable[p + width][end] = true
                    while end < key.count && (isDoubleStar || key[end] != ".") {
                        end += 1
                        reachable[p + width][end] = true
                    }
                } else if k < key.count && key[k] == pattern[p] {
                    reachable[p + 1][k + 1] = true
                }
            }
            p += width
        }
        return reachable[pattern.count][key.count]
    }
}
