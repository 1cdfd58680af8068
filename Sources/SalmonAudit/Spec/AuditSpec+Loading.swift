import Foundation
import SalmonIO
import Yams

extension AuditSpec: YAMLSpecification {}

extension SpecError {
    init(decoding error: DecodingError, file: String) {
        switch error {
        case .typeMismatch(let type, let context):
            self.init(file: file, field: SpecError.path(context.codingPath), "expected \(SpecError.describe(type)); \(context.debugDescription)")
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
            return name.contains("Dictionary") || name.contains("Keyed") ? "a mapping" : "a mapping (\(name))"
        }
    }
}

