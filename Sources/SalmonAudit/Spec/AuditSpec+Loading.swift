import Foundation
import SalmonIO
import Yams

extension AuditSpec: YAMLSpecification {}

extension SpecError {
    /// A decoding error as one line naming the field, what was expected and what was found (the
    /// value at that path in `yaml`, with its line), or for a YAML syntax error the line and column.
    init(decoding error: DecodingError, file: String, yaml: String? = nil, json: Data? = nil) {
        if let json {
            let (field, expected) = JSONDocument.describe(error, in: json)
            self.init(file: file, field: field, "expected \(expected)")
            return
        }
        switch error {
        case .typeMismatch(let type, let context):
            let blank = yaml.map { $0.split(whereSeparator: \.isNewline).allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty || $0.trimmingCharacters(in: .whitespaces).hasPrefix("#") } } ?? false
            if blank && context.codingPath.isEmpty {
                self.init(file: file, field: "", "expected a YAML mapping of spec fields, found an empty document")
                return
            }
            let found = yaml.flatMap { SpecError.found(at: context.codingPath, in: $0) } ?? "a value of another kind"
            self.init(file: file, field: SpecError.path(context.codingPath), "expected \(SpecError.describe(type)), found \(found)")
        case .dataCorrupted(let context) where context.underlyingError is YamlError:
            self.init(file: file, field: "", "not valid YAML: \(SpecError.describe(yamlError: context.underlyingError))")
        case .valueNotFound(let type, let context):
            self.init(file: file, field: SpecError.path(context.codingPath), "expected \(SpecError.describe(type)), found nothing")
        case .keyNotFound(let key, let context):
            self.init(file: file, field: SpecError.path(context.codingPath + [key]), "required field is missing")
        case .dataCorrupted(let context):
            self.init(file: file, field: SpecError.path(context.codingPath), context.debugDescription)
        @unknown default:
            self.init(file: file, field: "", "\(error)")
        }
    }

    /// A ``SpecError`` thrown inside a section's decoder and wrapped by the YAML decoder.
    static func underlying(_ error: any Error) -> SpecError? {
        if let e = error as? SpecError { return e }
        guard let decoding = error as? DecodingError else { return nil }
        switch decoding {
        case .dataCorrupted(let c), .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c):
            return c.underlyingError.flatMap { underlying($0) }
        @unknown default:
            return nil
        }
    }

    /// Keys whose value may be YAML's null: `expect: null` is the null expectation.
    static let nullableKeys: Set<String> = ["expect"]

    /// Refuses a spec field whose value is null (`folds: null`, `bootstrap: ~`, `name:` with
    /// nothing after it): decoding read it as absent and used the default, so the spec said one
    /// thing and ran another (`name: ~` even became the name "~").
    /// - Throws: ``SpecError`` naming the field and line.
    static func rejectNullValues(in yaml: String, file: String) throws {
        guard let root = try? Yams.compose(yaml: yaml) else { return }
        // Aliases are expanded into the tree, so a document of nested aliases ("billion laughs")
        // is exponentially large: stop looking after a budget far beyond any real spec, and leave
        // such a document to the decoder, which refuses it on its first wrong type.
        var budget = 100_000
        func visit(_ node: Node, _ path: String) throws {
            budget -= 1
            guard budget > 0 else { return }
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    let name = key.string ?? "?"
                    let field = path.isEmpty ? name : path + "." + name
                    if case .scalar(let scalar) = value, scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string),
                       !nullableKeys.contains(name) {
                        let line = value.mark.map { " (line \($0.line))" } ?? ""
                        throw SpecError(file: file, field: field, "expected a value, found \(scalar.string.isEmpty ? "nothing" : scalar.string)\(line); leave the field out to use its default")
                    }
                    try visit(value, field)
                }
            case .sequence(let sequence):
                for (i, element) in sequence.enumerated() { try visit(element, "\(path)[\(i)]") }
            case .scalar, .alias:
                break
            }
        }
        try visit(root, "")
    }

    /// The node at `path` in `yaml` as a message quotes it: `'abc' (line 2)`, `a mapping (line 3)`.
    static func found(at path: [any CodingKey], in yaml: String) -> String? {
        guard var node = try? Yams.compose(yaml: yaml) else { return nil }
        for key in path {
            if let index = key.intValue, let sequence = node.sequence, sequence.indices.contains(index) {
                node = sequence[index]
            } else if let mapping = node.mapping, let next = mapping[key.stringValue] {
                node = next
            } else {
                return nil
            }
        }
        let line = node.mark.map { " (line \($0.line))" } ?? ""
        switch node {
        case .scalar(let scalar): return "'\(scalar.string)'\(line)"
        case .mapping: return "a mapping\(line)"
        case .sequence: return "a list\(line)"
        case .alias: return "an alias\(line)"
        }
    }

    /// A YAML syntax error as `line 2, column 1: could not find expected ':'`.
    static func describe(yamlError error: (any Error)?) -> String {
        guard let error = error as? YamlError else { return "\(error.map { "\($0)" } ?? "unreadable")" }
        switch error {
        case .scanner(let context, let problem, let mark, _):
            return "line \(mark.line), column \(mark.column): \(problem)\(context.map { " (\($0.text))" } ?? "")"
        case .parser(let context, let problem, let mark, _):
            return "line \(mark.line), column \(mark.column): \(problem)\(context.map { " (\($0.text))" } ?? "")"
        default:
            return String(describing: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "unreadable"
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: return "an integer"
        case is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default:
            // Yams reports a list it wanted as `Sequence` or `UnkeyedDecodingContainer`, our arrays as `Array<…>`.
            let name = String(describing: type)
            if name.hasPrefix("Array") || name.contains("Sequence") || name.contains("Unkeyed") { return "a list" }
            // Yams reports a single value it wanted (a string, number or boolean) as `Scalar`.
            if name.contains("Scalar") { return "a single value" }
            return name.contains("Dictionary") || name.contains("Keyed") || name.contains("Mapping") ? "a mapping" : "a mapping (\(name))"
        }
    }
}

