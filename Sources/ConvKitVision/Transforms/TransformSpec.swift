import Foundation

/// A pipeline written as text, for the command line:
///
///     randomresizedcrop(224,scale=0.5-1);hflip(0.5);colorjitter(0.4,0.4,0.4,0.1);normalize(imagenet)
///
/// Grammar: `spec := step (";" step)*`, `step := name ["(" arg ("," arg)* ")"]`,
/// `arg := value | key "=" value | step` (nested steps for `randomapply` and `randomchoice`).
/// Values: numbers, ranges `low-high`, sizes `HxW` (one number: square, or for `resize`
/// the shorter side), lists `a/b/c`, and words (`imagenet`, `reflect`, `bicubic`).
/// Positional arguments fill the parameters in the order ``catalog`` lists them.
/// A `.json` file holds the same steps as `[{"name": "hflip", "p": 0.5}, ...]`, with
/// arrays for ranges and lists and `"transforms": [...]` for nested steps.
public struct TransformSpec: Sendable, CustomStringConvertible {
    /// The per-sample transforms, in order.
    public let transform: Compose
    /// Batch-level mixing (`mixup`, `cutmix`), applied after collation; at most one.
    public let batchMixing: (any BatchMixing)?

    /// A step's parameters, in positional order, and what it builds.
    struct Entry: Sendable {
        let parameters: [String]
        let summary: String
        let build: @Sendable (Arguments) throws -> Step
    }

    enum Step {
        case sample(any Transform)
        case batch(any BatchMixing)
    }

    /// Every known step: name, parameters and a one-line summary (shown by `--help` and errors).
    static let catalog: [(name: String, entry: Entry)] = [
        ("resize", Entry(parameters: ["size", "interpolation"], summary: "size or HxW; nearest|bilinear|bicubic") {
            let interpolation = try $0.interpolation("interpolation", default: .bilinear)
            if let side = Int($0.text("size") ?? "") { return .sample(try Resize(.shorterSide(side), interpolation: interpolation)) }
            let size = try $0.size("size")
            return .sample(try Resize(.size(height: size.height, width: size.width), interpolation: interpolation))
        }),
        ("centercrop", Entry(parameters: ["size"], summary: "size or HxW") {
            let size = try $0.size("size")
            return .sample(try CenterCrop(height: size.height, width: size.width))
        }),
        ("randomcrop", Entry(parameters: ["size", "padding", "mode", "fill"],
                             summary: "size, padding=0, mode=constant|edge|reflect|symmetric, fill=0") {
            let size = try $0.size("size")
            return .sample(try RandomCrop(height: size.height, width: size.width, padding: try $0.integer("padding", default: 0),
                                          mode: try $0.word("mode", default: .constant), fill: try $0.number("fill", default: 0)))
        }),
        ("randomresizedcrop", Entry(parameters: ["size", "scale", "ratio", "interpolation"],
                                    summary: "size, scale=0.08-1, ratio=0.75-1.333, interpolation=bilinear") {
            let size = try $0.size("size")
            return .sample(try RandomResizedCrop(height: size.height, width: size.width,
                                                 scale: try $0.range("scale", default: 0.08...1),
                                                 ratio: try $0.range("ratio", default: 0.75...(4 / 3)),
                                                 interpolation: try $0.interpolation("interpolation", default: .bilinear)))
        }),
        ("hflip", Entry(parameters: ["p"], summary: "p=0.5") { .sample(try RandomFlip(.horizontal, p: try $0.number("p", default: 0.5))) }),
        ("vflip", Entry(parameters: ["p"], summary: "p=0.5") { .sample(try RandomFlip(.vertical, p: try $0.number("p", default: 0.5))) }),
        ("affine", Entry(parameters: ["degrees", "translate", "scale", "shear", "interpolation", "fill"],
                         summary: "degrees, translate=0 (fraction, or XxY), scale=1-1, shear=0, interpolation=nearest, fill=0") {
            let translate = try $0.list("translate", default: [0])
            guard (1...2).contains(translate.count) else { throw TransformError("affine: translate takes one or two fractions") }
            return .sample(try RandomAffine(degrees: try $0.number("degrees", default: 0),
                                            translate: (translate[0], translate.last ?? 0),
                                            scale: try $0.range("scale", default: 1...1), shear: try $0.number("shear", default: 0),
                                            interpolation: try $0.interpolation("interpolation", default: .nearest),
                                            fill: try $0.number("fill", default: 0)))
        }),
        ("colorjitter", Entry(parameters: ["brightness", "contrast", "saturation", "hue"], summary: "brightness, contrast, saturation, hue (all 0)") {
            .sample(try ColorJitter(brightness: try $0.number("brightness", default: 0), contrast: try $0.number("contrast", default: 0),
                                    saturation: try $0.number("saturation", default: 0), hue: try $0.number("hue", default: 0)))
        }),
        ("grayscale", Entry(parameters: ["channels", "p"], summary: "channels=1|3, p=1 (p < 1 keeps the channel count)") {
            .sample(try Grayscale(outputChannels: try $0.integer("channels", default: 1), p: try $0.number("p", default: 1)))
        }),
        ("gaussianblur", Entry(parameters: ["kernel", "sigma"], summary: "kernel (odd), sigma=0.1-2") {
            .sample(try GaussianBlur(kernelSize: try $0.integer("kernel", default: 3), sigma: try $0.range("sigma", default: 0.1...2)))
        }),
        ("noise", Entry(parameters: ["sigma", "mean"], summary: "sigma=0.1, mean=0") {
            .sample(try GaussianNoise(mean: try $0.number("mean", default: 0), sigma: try $0.number("sigma", default: 0.1)))
        }),
        ("erasing", Entry(parameters: ["p", "scale", "ratio", "value"], summary: "p=0.5, scale=0.02-0.33, ratio=0.3-3.3, value=0") {
            .sample(try RandomErasing(p: try $0.number("p", default: 0.5), scale: try $0.range("scale", default: 0.02...0.33),
                                      ratio: try $0.range("ratio", default: 0.3...3.3), value: try $0.number("value", default: 0)))
        }),
        ("normalize", Entry(parameters: ["mean", "std"], summary: "imagenet, or mean=a/b/c,std=a/b/c") {
            if $0.text("mean") == "imagenet" { return .sample(Normalize.imagenet) }
            return .sample(try Normalize(mean: try $0.list("mean", default: nil), std: try $0.list("std", default: nil)))
        }),
        ("randomapply", Entry(parameters: ["transform", "p"], summary: "a nested step, p=0.5") {
            .sample(try RandomApply(try $0.transform("transform"), p: try $0.number("p", default: 0.5)))
        }),
        ("randomchoice", Entry(parameters: [], summary: "nested steps, one picked uniformly") {
            .sample(try RandomChoice(try $0.nested.map { try sampleTransform(of: $0) }))
        }),
        ("mixup", Entry(parameters: ["alpha"], summary: "alpha=0.2 (batch level, training only)") {
            .batch(try MixUp(alpha: try $0.number("alpha", default: 0.2)))
        }),
        ("cutmix", Entry(parameters: ["alpha"], summary: "alpha=1 (batch level, training only)") {
            .batch(try CutMix(alpha: try $0.number("alpha", default: 1)))
        }),
    ]

    /// The grammar and every step, for `--help` and error messages.
    public static var help: String {
        "steps separated by ';', e.g. randomresizedcrop(224,scale=0.5-1);hflip(0.5);colorjitter(0.4,0.4,0.4,0.1);"
            + "normalize(imagenet). Values: numbers, ranges low-high, sizes HxW, lists a/b/c. Steps: "
            + catalog.map { "\($0.name)(\($0.entry.summary))" }.joined(separator: "; ")
            + ". Or a .json file: [{\"name\": \"hflip\", \"p\": 0.5}, ...]."
    }

    /// Parses `text`, or reads it from a `.json` file when `text` names one.
    /// - Throws: ``TransformError`` for an unknown step or argument, a spec longer than
    ///   ``ResourceLimits/maxSpecLength`` or nested deeper than ``ResourceLimits/maxSpecDepth``.
    public init(_ text: String) throws {
        guard text.lowercased().hasSuffix(".json") else {
            try self.init(parsing: text)
            return
        }
        // The size is checked before reading, so a huge file named by mistake is not loaded.
        let size = (try? FileManager.default.attributesOfItem(atPath: text)[.size] as? Int) ?? nil
        guard let size else { throw TransformError("cannot read the transform file \(text)") }
        try Self.checkLength(size, of: "the transform file \(text)")
        guard let data = FileManager.default.contents(atPath: text) else {
            throw TransformError("cannot read the transform file \(text)")
        }
        try self.init(json: data, name: text)
    }

    /// Parses the JSON form, `[{"name": "hflip", "p": 0.5}, ...]`, held in memory.
    /// - Parameters:
    ///   - data: The JSON text.
    ///   - name: Identifies it in errors.
    /// - Throws: ``TransformError`` as ``init(_:)`` does, or for JSON of another shape.
    public init(json data: Data, name: String = "the transform JSON") throws {
        try Self.checkLength(data.count, of: name)
        try self.init(parsing: Self.text(fromJSON: data, name: name))
    }

    private init(parsing source: String) throws {
        try Self.checkBounds(source, limits: ResourceLimits.current)
        var transforms: [any Transform] = [], mixing: [any BatchMixing] = []
        for piece in try Self.split(source, on: ";") where !piece.isEmpty {
            switch try Self.step(piece) {
            case .sample(let transform): transforms.append(transform)
            case .batch(let batch): mixing.append(batch)
            }
        }
        guard mixing.count <= 1 else { throw TransformError("use at most one of mixup and cutmix") }
        (transform, batchMixing) = (Compose(transforms), mixing.first)
    }

    private static func checkLength(_ size: Int, of what: String) throws {
        let limit = ResourceLimits.current.maxSpecLength
        guard size <= limit else {
            throw TransformError("\(what) has \(size) bytes, more than the limit of \(limit); "
                + "raise CONVKIT_MAX_SPEC_LENGTH if it is really a pipeline")
        }
    }

    public var description: String {
        ([transform.description] + (batchMixing.map { [$0.description] } ?? [])).filter { !$0.isEmpty }.joined(separator: ";")
    }

    static func step(_ text: String) throws -> Step {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let name = String(trimmed.prefix { $0 != "(" }).lowercased()
        guard let entry = catalog.first(where: { $0.name == name })?.entry else {
            throw TransformError("unknown transform '\(name)'; known: " + catalog.map(\.name).joined(separator: ", "))
        }
        var inner = ""
        if trimmed.count > name.count {
            guard trimmed.hasSuffix(")") else { throw TransformError("\(name): missing ')' in '\(trimmed)'") }
            inner = String(trimmed.dropFirst(name.count + 1).dropLast())
        }
        return try entry.build(try Arguments(name: name, parameters: entry.parameters, text: inner))
    }

    static func sampleTransform(of text: String) throws -> any Transform {
        guard case .sample(let transform) = try step(text) else {
            throw TransformError("mixup and cutmix work on whole batches and cannot be nested in '\(text)'")
        }
        return transform
    }

    /// Refuses a spec too long or too deeply nested, in one pass before anything is parsed:
    /// each nesting level is split again, so depth times length bounds the parsing work.
    static func checkBounds(_ text: String, limits: ResourceLimits) throws {
        let length = text.utf8.count
        guard length <= limits.maxSpecLength else {
            throw TransformError("the transform spec has \(length) characters, more than the limit of \(limits.maxSpecLength); "
                + "raise CONVKIT_MAX_SPEC_LENGTH if it is really a pipeline")
        }
        var depth = 0, deepest = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "(") { depth += 1; deepest = max(deepest, depth) }
            if byte == UInt8(ascii: ")") { depth -= 1 }
        }
        // A step's own arguments are one level of parentheses; each nested step adds one.
        guard deepest - 1 <= limits.maxSpecDepth else {
            throw TransformError("the transform spec nests steps \(deepest - 1) deep, more than the limit of "
                + "\(limits.maxSpecDepth); raise CONVKIT_MAX_SPEC_DEPTH if that is intended")
        }
    }

    /// Splits on `separator` outside parentheses.
    static func split(_ text: String, on separator: Character) throws -> [String] {
        var pieces = [""], depth = 0
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            guard depth >= 0 else { throw TransformError("unbalanced ')' in '\(text)'") }
            if character == separator && depth == 0 { pieces.append("") } else { pieces[pieces.count - 1].append(character) }
        }
        guard depth == 0 else { throw TransformError("unbalanced '(' in '\(text)'") }
        return pieces.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The JSON form rewritten as text: `{"name": n, "k": v}` → `n(k=v)`.
    static func text(fromJSON data: Data, name: String) throws -> String {
        guard let steps = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw TransformError("\(name) must hold a JSON array of objects like {\"name\": \"hflip\", \"p\": 0.5}")
        }
        func render(_ step: [String: Any]) throws -> String {
            guard let stepName = step["name"] as? String else { throw TransformError("\(name): a step has no \"name\"") }
            var arguments: [String] = []
            for (key, value) in step.sorted(by: { $0.key < $1.key }) where key != "name" {
                if key == "transforms" || key == "transform" {
                    let nested = (value as? [[String: Any]]) ?? ((value as? [String: Any]).map { [$0] } ?? [])
                    arguments += try nested.map(render)
                } else if let list = value as? [Any] {
                    arguments.append("\(key)=" + list.map { "\($0)" }.joined(separator: "/"))
                } else {
                    arguments.append("\(key)=\(value)")
                }
            }
            return arguments.isEmpty ? stepName : "\(stepName)(\(arguments.joined(separator: ",")))"
        }
        return try steps.map(render).joined(separator: ";")
    }
}
