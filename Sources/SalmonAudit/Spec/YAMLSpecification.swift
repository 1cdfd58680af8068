import Foundation
import SalmonIO
import Yams

/// A spec written in YAML (an audit, an identifiability audit): decoded strictly — every section
/// rejects unknown keys and names the nearest valid one — then validated, and identified by the
/// hash of its canonical JSON.
public protocol YAMLSpecification: Codable {
    /// Checks ranges and cross-field rules that decoding cannot.
    /// - Throws: ``SpecError`` naming the field.
    func validate() throws
}

extension YAMLSpecification {
    /// Parses and validates a YAML spec.
    /// - Parameters:
    ///   - yaml: the text.
    ///   - file: the name used in error messages.
    /// - Throws: ``SpecError`` (one line: file, field, what was expected).
    public static func parse(yaml: String, file: String = "spec") throws -> Self {
        let spec: Self
        do {
            try SpecError.rejectNullValues(in: yaml, file: file)
            spec = try YAMLDecoder().decode(Self.self, from: yaml)
        } catch var error as SpecError {
            error.file = file
            throw error
        } catch let error as DecodingError {
            if var inner = SpecError.underlying(error) {
                inner.file = file
                throw inner
            }
            throw SpecError(decoding: error, file: file, yaml: yaml)
        } catch {
            let first = String(describing: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "unreadable YAML"
            throw SpecError(file: file, field: "", "not valid YAML: \(first)")
        }
        do { try spec.validate() } catch var error as SpecError {
            error.file = file
            throw error
        }
        return spec
    }

    /// Reads, parses and validates the spec at `path`.
    public static func load(path: String) throws -> Self {
        let (text, source) = try InputFile.readText(path)
        return try parse(yaml: text, file: source)
    }

    /// The spec as canonical JSON (sorted keys): what its hash is computed from and what results embed.
    public func canonicalJSON() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding plain values cannot fail.
        return (try? encoder.encode(self)) ?? Data()
    }

    /// FNV-1a 64-bit hash of the canonical JSON, hex: identifies the spec in results and baselines.
    public var hash: String { FNV1a.hex(canonicalJSON()) }
}
