import SalmonDiagnostics
import Foundation
import SalmonIO
import Yams

/// What a YAML spec describes, read from its top-level `kind` key: an ordinary audit (no `kind`, or
/// `kind: audit`) or an identifiability audit (`kind: identifiability`, ``IdentifiabilitySpec``).
///
/// `salmon audit` reads the file once, looks at `kind`, and hands the text to the matching parser,
/// so each spec type keeps its own strict validation (unknown keys name the nearest valid one).
public enum SpecKind: Sendable, Equatable {
    /// An ordinary audit (``AuditSpec`` accepts `kind: audit`).
    case audit(yaml: String)
    /// An identifiability audit; the text is the whole spec.
    case identifiability(yaml: String)

    /// The kinds a spec may declare.
    /// The values `kind` can take.
    enum Name: String, CaseIterable { case audit, identifiability }

    public static let names = Name.allCases.map(\.rawValue)

    /// Reads the spec at `path` and tells its kind.
    /// - Throws: ``SpecError`` naming the file when it cannot be read, and naming the field `kind`
    ///   when its value is not one of ``names``.
    public static func read(path: String) throws -> SpecKind {
        let (text, source) = try InputFile.readText(path)
        return try detect(yaml: text, file: source)
    }

    /// Tells the kind of the spec in `yaml`. Text that is not a YAML mapping is returned as an
    /// ordinary audit, whose parser then reports what is wrong with it.
    public static func detect(yaml: String, file: String = "spec") throws -> SpecKind {
        guard let root = try? Yams.compose(yaml: yaml), case .mapping(let mapping) = root, let value = mapping["kind"] else {
            return .audit(yaml: yaml)
        }
        guard case .scalar(let scalar) = value else {
            throw SpecError(file: file, field: "kind", "expected one of \(names.joined(separator: ", ")), found a \(value.isMapping ? "mapping" : "list")")
        }
        guard let kind = Name(rawValue: scalar.string) else {
            var message = "unknown kind '\(scalar.string)'"
            if let s = nearestName(to: scalar.string, in: names) { message += "; did you mean '\(s)'?" }
            throw SpecError(file: file, field: "kind", message + " (allowed: \(names.joined(separator: ", ")))")
        }
        switch kind {
        case .identifiability: return .identifiability(yaml: yaml)
        case .audit: return .audit(yaml: yaml)
        }
    }
}

private extension Node {
    var isMapping: Bool { if case .mapping = self { return true } else { return false } }
}
