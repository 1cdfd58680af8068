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

