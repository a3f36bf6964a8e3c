/// The arguments of one spec step, matched to its parameter names and read with
/// conversions that say which step and argument was wrong.
struct Arguments {
    let name: String
    let parameters: [String]
    private var values: [String: String] = [:]
    /// Nested steps (for `randomapply` and `randomchoice`).
    private(set) var nested: [String] = []

    init(name: String, parameters: [String], text: String) throws {
        (self.name, self.parameters) = (name, parameters)
        var position = 0
        for argument in try TransformSpec.split(text, on: ",") where !argument.isEmpty {
            if argument.contains("(") || TransformSpec.catalog.contains(where: { $0.name == argument.lowercased() }) {
                nested.append(argument)
                if parameters.first == "transform" { values["transform"] = argument; position = max(position, 1) }
                continue
            }
            let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 {
                guard !parts[0].isEmpty else { throw TransformError("\(name): '\(argument)' has no argument name before '='") }
                guard parameters.contains(parts[0]) else {
                    throw TransformError("\(name): unknown argument '\(parts[0])'; it takes "
                        + (parameters.isEmpty ? "nested steps only" : parameters.joined(separator: ", ")))
                }
                values[parts[0]] = parts[1]
            } else {
                guard position < parameters.count else {
                    throw TransformError("\(name): too many arguments; it takes \(parameters.joined(separator: ", "))")
                }
                values[parameters[position]] = parts[0]
                position += 1
            }
        }
    }

    func text(_ key: String) -> String? { values[key] }

    private func fail(_ key: String, _ expected: String) -> TransformError {
        TransformError("\(name): \(key) must be \(expected), got '\(values[key] ?? "nothing")'")
    }

    func number(_ key: String, default fallback: Float) throws -> Float {
        guard let text = values[key] else { return fallback }
        guard let value = Float(text), value.isFinite else { throw fail(key, "a number") }
        return value
    }

    func integer(_ key: String, default fallback: Int) throws -> Int {
        guard let text = values[key] else { return fallback }
        guard let value = Int(text) else { throw fail(key, "a whole number") }
        return value
    }

    /// `low-high` or `low/high` (a single number: that value alone).
    func range(_ key: String, default fallback: ClosedRange<Float>) throws -> ClosedRange<Float> {
        guard let text = values[key] else { return fallback }
        let separator = text.dropFirst().firstIndex(where: { $0 == "-" || $0 == "/" })
        let bounds = separator.map { [String(text[..<$0]), String(text[text.index(after: $0)...])] } ?? [text, text]
        guard let low = Float(bounds[0]), let high = Float(bounds[1]), low <= high else {
            throw fail(key, "a range low-high with low <= high")
        }
        return low...high
    }

    /// `a/b/c`; required when `fallback` is nil.
    func list(_ key: String, default fallback: [Float]?) throws -> [Float] {
        guard let text = values[key] else {
            if let fallback { return fallback }
            throw TransformError("\(name): needs \(key)")
        }
        let items = text.split(whereSeparator: { $0 == "/" || $0 == "x" }).map { Float($0) }
        guard !items.isEmpty, items.allSatisfy({ $0 != nil }) else { throw fail(key, "numbers separated by '/'") }
        return items.compactMap { $0 }
    }

    /// `N` (square) or `HxW`.
    func size(_ key: String) throws -> (height: Int, width: Int) {
        guard let text = values[key] else { throw TransformError("\(name): needs a \(key), e.g. \(name)(224)") }
        let sides = text.split(whereSeparator: { $0 == "x" || $0 == "/" }).map { Int($0) }
        guard (1...2).contains(sides.count), let height = sides[0], let width = sides.last ?? nil, height > 0, width > 0 else {
            throw fail(key, "a positive size N or HxW")
        }
        return (height, width)
    }

    func interpolation(_ key: String, default fallback: Interpolation) throws -> Interpolation {
        try word(key, default: fallback)
    }

    func word<Word: RawRepresentable & CaseIterable>(_ key: String, default fallback: Word) throws -> Word
        where Word.RawValue == String {
        guard let text = values[key] else { return fallback }
        guard let value = Word(rawValue: text.lowercased()) else {
            throw fail(key, "one of " + Word.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }

    func transform(_ key: String) throws -> any Transform {
        guard let text = values[key] else { throw TransformError("\(name): needs a nested step, e.g. \(name)(hflip(1),p=0.5)") }
        return try TransformSpec.sampleTransform(of: text)
    }
}
