import Foundation
import SalmonIO

/// A result written as versioned JSON (`results.json`): an audit's or an identifiability audit's.
/// The `schema` field names the format, so a reader refuses files of another kind or version.
public protocol VersionedResult: Codable {
    /// The format this type writes and reads, for example `deadsalmon.audit-result/1`.
    static var schemaIdentifier: String { get }

    /// Refuses a result that decodes but could not have been written by an audit (a p-value
    /// outside (0, 1], a claim naming no test): a report rendered from it would look right.
    /// - Throws: ``SpecError`` naming the field (the file is added by ``read(_:source:)``).
    func validate() throws
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
        try JSONDocument.validate(data, source: source)
        guard let header = try? JSONDecoder().decode(ResultSchemaHeader.self, from: data) else {
            throw SpecError(file: source, field: "", "expected a DeadSalmon results.json (a JSON object), found \(JSONDocument.describeValue(at: [], in: data) ?? "something else")")
        }
        guard header.schema == schemaIdentifier else {
            let found = header.schema.map { "'\($0)'" } ?? header.format.map { "no schema but format '\($0)' (that file is not a results.json)" } ?? "none"
            throw SpecError(file: source, field: "schema", "expected '\(schemaIdentifier)', found \(found)")
        }
        do {
            let result = try CanonicalSpecDecoding.jsonDecoder().decode(Self.self, from: data)
            try result.validate()
            return result
        } catch let error as SpecError {
            throw SpecError(file: source, field: error.field, error.message)
        } catch let error as DecodingError {
            if let inner = SpecError.underlying(error) { throw SpecError(file: source, field: inner.field, inner.message) }
            throw SpecError(decoding: error, file: source, json: data)
        }
    }
}

/// The one field every versioned result begins with.
private struct ResultSchemaHeader: Decodable { var schema: String?; var format: String? }

extension AuditResult: VersionedResult {
    /// What every audit's result satisfies: unique test ids; per test a direction of `larger` or
    /// `smaller`, Monte Carlo p-values in (0, 1] (never 0: `(1 + b)/(1 + B)`) with the adjusted one
    /// at least the raw one, an extreme count within the null draws, and a p-value interval inside
    /// [0, 1]; the policy's test count equal to the tests'; per claim at least one test, every named
    /// test present and of that claim, failing tests among them, and `holds` exactly when none
    /// fails and none left its baseline interval.
    public func validate() throws {
        var ids: [String: TestResult] = [:]
        for (i, test) in tests.enumerated() {
            let field = "tests[\(i)]"
            guard ids.updateValue(test, forKey: test.id) == nil else { throw SpecError(field: field + ".id", "a unique test id, found '\(test.id)' twice") }
            guard test.direction == "larger" || test.direction == "smaller" else {
                throw SpecError(field: field + ".direction", "expected 'larger' or 'smaller', found '\(test.direction)'")
            }
            for (name, p) in [("pValue", test.pValue), ("adjustedPValue", test.adjustedPValue)] where !(p > 0 && p <= 1) {
                throw SpecError(field: field + "." + name, "expected a p-value in (0, 1], found \(p)")
            }
            guard test.adjustedPValue >= test.pValue else {
                throw SpecError(field: field + ".adjustedPValue", "expected at least the raw p-value \(test.pValue), found \(test.adjustedPValue)")
            }
            guard test.extremeCount >= 0 && test.extremeCount <= test.null.values.count else {
                throw SpecError(field: field + ".extremeCount", "expected 0 … \(test.null.values.count) (the null draws), found \(test.extremeCount)")
            }
            let pi = test.pValueInterval
            guard pi.lower >= 0 && pi.lower <= pi.upper && pi.upper <= 1 else {
                throw SpecError(field: field + ".pValueInterval", "expected 0 ≤ lower ≤ upper ≤ 1, found [\(pi.lower), \(pi.upper)]")
            }
        }
        guard policy.testCount == tests.count else {
            throw SpecError(field: "policy.testCount", "expected the number of tests, \(tests.count), found \(policy.testCount)")
        }
        for (i, claim) in claims.enumerated() {
            let field = "claims[\(i)]"
            guard !claim.testIDs.isEmpty else { throw SpecError(field: field + ".testIDs", "expected the claim's tests, found none") }
            for id in claim.testIDs {
                guard let test = ids[id] else { throw SpecError(field: field + ".testIDs", "expected ids of tests in this file, found '\(id)'") }
                guard test.claim == claim.claim && test.site == claim.site else {
                    throw SpecError(field: field + ".testIDs", "expected tests of claim '\(claim.claim)' at '\(claim.site)', found '\(id)' of '\(test.claim)' at '\(test.site)'")
                }
            }
            guard claim.failingTestIDs.allSatisfy(claim.testIDs.contains) else {
                throw SpecError(field: field + ".failingTestIDs", "expected ids among the claim's testIDs, found \(claim.failingTestIDs)")
            }
            let leftBaseline = claim.testIDs.contains { ids[$0]?.leftBaseline == true }
            guard claim.holds == (claim.failingTestIDs.isEmpty && !leftBaseline) else {
                throw SpecError(field: field + ".holds", "expected \(!claim.holds) (\(claim.failingTestIDs.count) failing tests\(leftBaseline ? ", one outside its baseline interval" : "")), found \(claim.holds)")
            }
        }
    }
}

extension IdentifiabilityAuditResult: VersionedResult {
    /// What every identifiability audit's result satisfies: unique widths, each with at most as
    /// many converged networks as trained ones and fractions in [0, 1]; per claim a width of this
    /// file and bounds with lower ≤ upper.
    public func validate() throws {
        var seen = Set<Int>()
        for (i, width) in widths.enumerated() {
            let field = "widths[\(i)]"
            guard seen.insert(width.width).inserted else { throw SpecError(field: field + ".width", "each width once, found \(width.width) twice") }
            guard width.converged >= 0 && width.converged <= width.trained else {
                throw SpecError(field: field + ".converged", "expected 0 … \(width.trained) (the networks trained), found \(width.converged)")
            }
            for (name, estimate) in [("convergedFraction", width.convergedFraction), ("fractionWithMultiplePerfect", width.fractionWithMultiplePerfect),
                                     ("fractionOfPairsSharingACircuit", width.fractionOfPairsSharingACircuit)] {
                if let v = estimate.value, !(v >= 0 && v <= 1) { throw SpecError(field: field + "." + name + ".value", "expected a fraction in [0, 1], found \(v)") }
            }
        }
        for (i, claim) in claims.enumerated() {
            let field = "claims[\(i)]"
            guard seen.contains(claim.width) else { throw SpecError(field: field + ".width", "expected a width of this file (\(widths.map { String($0.width) }.joined(separator: ", "))), found \(claim.width)") }
            if let b = claim.bounds, !(b.lower <= b.upper) {
                throw SpecError(field: field + ".bounds", "expected lower ≤ upper, found [\(b.lower), \(b.upper)]")
            }
        }
    }
}
