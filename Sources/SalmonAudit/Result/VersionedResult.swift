import Foundation

/// A result written as versioned JSON (`results.json`): an audit's or an identifiability audit's.
/// The `schema` field names the format, so a reader refuses files of another kind or version.
public protocol VersionedResult: Codable {
    /// The format this type writes and reads, for example `deadsalmon.audit-result/1`.
    static var schemaIdentifier: String { get }
}

extension VersionedResult {
    /// Canonical JSON: sorted keys, pretty-printed, ending in a newline — the same bytes for the
    /// same result.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Reads a result written by ``jsonData()``.
    /// - Throws: ``SpecError`` naming the file (and the field) when it is not JSON, not of this
    ///   schema, or does not decode.
    public static func read(_ data: Data, source: String) throws -> Self {
        guard let header = try? JSONDecoder().decode(ResultSchemaHeader.self, from: data) else {
            throw SpecError(file: source, field: "", "not JSON, or not an object; expected a DeadSalmon results.json")
        }
        guard header.schema == schemaIdentifier else {
            throw SpecError(file: source, field: "schema", "expected '\(schemaIdentifier)', found '\(header.schema ?? "nothing")'")
        }
        do { return try CanonicalSpecDecoding.jsonDecoder().decode(Self.self, from: data) } catch let error as SpecError {
            throw SpecError(file: source, field: error.field, error.message)
        } catch let error as DecodingError {
            if let inner = SpecError.underlying(error) { throw SpecError(file: source, field: inner.field, inner.message) }
            throw SpecError(decoding: error, file: source)
        }
    }
}

/// The one field every versioned result begins with.
private struct ResultSchemaHeader: Decodable { var schema: String? }

extension AuditResult: VersionedResult {}
extension IdentifiabilityAuditResult: VersionedResult {}
