public import SalmonDiagnostics

/// A problem with an audit specification: the field (as a dotted path), what was expected, and
/// for an unknown key the nearest valid one. Its description is one line.
public struct SpecError: SalmonError, Equatable {
    /// The spec file (or "spec" for a spec given in memory).
    public var file: String
    /// The dotted field path, e.g. `nulls[1].K`.
    public var field: String
    public var message: String

    public init(file: String = "spec", field: String, _ message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    public var description: String {
        (field.isEmpty ? "\(file): \(message)" : "\(file): field '\(field)': \(message)").escapingLineBreaks
    }

    public var location: ErrorLocation { ErrorLocation(file: file, field: field.isEmpty ? nil : field) }
    public var expected: String { message }
}

/// A coding key for any string: used to list every key a mapping holds, known or not.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

extension Decoder {
    /// Rejects keys outside `allowed`, naming the nearest valid key.
    func rejectUnknownKeys(_ allowed: [String]) throws {
        let container = try self.container(keyedBy: AnyCodingKey.self)
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            let path = (codingPath + [key]).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            var message = "unknown key '\(key.stringValue)'"
            if let suggestion = nearestName(to: key.stringValue, in: allowed) { message += "; did you mean '\(suggestion)'?" }
            message += " (allowed: \(allowed.joined(separator: ", ")))"
            throw SpecError(field: SpecError.join(path), message)
        }
    }
}

extension SpecError {
    /// `["nulls", "[1]", "K"]` → `nulls[1].K`.
    static func join(_ parts: [String]) -> String {
        var out = ""
        for part in parts {
            if part.hasPrefix("[") { out += part } else { out += out.isEmpty ? part : ".\(part)" }
        }
        return out
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        join(codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue })
    }
}
