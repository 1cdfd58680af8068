import Foundation
import SalmonIO
import SalmonStatistics

/// Stored null distributions with their provenance, so that later trained models can be tested
/// against them without recomputing a single null model (`salmon baseline record`, `salmon gate`).
///
/// A baseline keeps, for every test of the audit that recorded it, all null values (per family and
/// `claim@site`, raw per null model), the trained estimate's interval at recording time, and the
/// spec and data hashes. A result is gated against it only if it comes from the same spec (same
/// hash): the nulls answer exactly the question that spec asks.
public struct Baseline: Sendable, Codable, Equatable {
    public static let formatIdentifier = "deadsalmon.baseline/1"

    public var format: String
    public var name: String
    public var spec: AuditSpec
    public var specHash: String
    public var dataHash: String
    public var provenance: Provenance
    /// family → `claim@site` → null values in null-model order.
    public var nullValues: [String: [String: [Double]]]
    /// test id → the trained estimate's interval when the baseline was recorded.
    public var intervals: [String: ConfidenceInterval]

    /// The baseline of a result assembled from `records`.
    public init(name: String, result: AuditResult, records: [UnitRecord]) {
        format = Self.formatIdentifier
        self.name = name
        spec = result.spec
        specHash = result.provenance.specHash
        dataHash = result.provenance.dataHash
        provenance = result.provenance
        var values: [String: [String: [Double]]] = [:]
        for null in result.spec.nulls {
            var perKey: [String: [Double]] = [:]
            for k in 0..<null.K {
                guard let r = records.first(where: { $0.unit == .null(family: null.family, index: k) }) else { continue }
                for (key, v) in r.values { perKey[key, default: []].append(v) }
            }
            values[null.family] = perKey
        }
        nullValues = values
        var intervals: [String: ConfidenceInterval] = [:]
        for t in result.tests { if let ci = t.interval { intervals[t.id] = ci } }
        self.intervals = intervals
    }

    /// The file inside a baseline directory.
    public static func file(in directory: String) -> String { directory + "/baseline.json" }

    /// Writes `baseline.json` (and a short README) into `directory`, atomically. A `README.md` that
    /// a baseline did not write (it does not begin with `# Baseline `) is left alone: the short
    /// README is then not written.
    public func write(to directory: String) throws {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw InputError(file: directory, expected: "a directory the baseline can be written to")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        try AtomicFile.write(data, to: Self.file(in: directory))
        let readme = """
        # Baseline `\(name)`

        Null distributions recorded by `salmon baseline record` for the audit `\(spec.name)` \
        (spec hash `\(specHash)`, data hash `\(dataHash)`, master seed \(spec.seed), \(provenance.generator), \
        \(spec.nulls.map { "\($0.family) K = \($0.K)" }.joined(separator: ", ")), DeadSalmon \(provenance.packageVersion)).
        `salmon gate RESULTS --baseline <this directory>` tests new trained estimates against them.

        """
        let readmePath = directory + "/README.md"
        if let existing = FileManager.default.contents(atPath: readmePath), !existing.starts(with: Data("# Baseline `".utf8)) { return }
        try AtomicFile.write(Data(readme.utf8), to: readmePath)
    }

    /// Reads the baseline in `directory`.
    /// - Throws: ``SpecError`` naming the file and what is wrong.
    public static func read(directory: String) throws -> Baseline {
        guard !directory.isEmpty else { throw InputError(file: "--baseline", expected: "a baseline directory, found an empty argument") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            let folder = (directory as NSString).deletingLastPathComponent
            throw InputError(file: directory, expected: "a baseline directory (the folder holding baseline.json\(folder.isEmpty ? "" : ", here '\(folder)'")), found a file")
        }
        let path = file(in: directory)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpecError(file: path, field: "", "no baseline here (expected a file written by 'salmon baseline record')")
        }
        try JSONDocument.validate(data, source: path)
        struct Header: Decodable { var format: String? }
        guard let header = try? JSONDecoder().decode(Header.self, from: data), header.format == formatIdentifier else {
            let found = (try? JSONDecoder().decode(Header.self, from: data))?.format.map { "'\($0)'" } ?? "none"
            throw SpecError(file: path, field: "format", "expected '\(formatIdentifier)' (a file written by 'salmon baseline record'), found \(found)")
        }
        let baseline: Baseline
        do { baseline = try CanonicalSpecDecoding.jsonDecoder().decode(Baseline.self, from: data) } catch let error as DecodingError {
            throw SpecError(decoding: error, file: path, json: data)
        }
        try baseline.requireComplete(file: path)
        return baseline
    }

    /// Checks that every null list holds the K values its family's spec says were recorded, all
    /// finite: a list cut short (9 values to 3) would otherwise gate with a smaller K.
    /// - Throws: ``SpecError`` naming the family and test.
    func requireComplete(file: String) throws {
        for null in spec.nulls {
            guard let lists = nullValues[null.family] else {
                throw SpecError(file: file, field: "nullValues.\(null.family)", "the null values of the family the spec records (K = \(null.K)), found none")
            }
            for (key, values) in lists.sorted(by: { $0.key < $1.key }) {
                guard values.count == null.K else {
                    throw SpecError(file: file, field: "nullValues.\(null.family).\(key)", "K = \(null.K) values (the spec's), found \(values.count): the baseline was altered; record it again")
                }
                if let i = values.firstIndex(where: { !$0.isFinite }) {
                    throw SpecError(file: file, field: "nullValues.\(null.family).\(key)", "finite values, found \(values[i]) at index \(i)")
                }
            }
        }
    }

    /// Checks that a spec is the one this baseline was recorded from, and that the evaluation data
    /// (inputs, labels, control types) are the same: the nulls answer exactly that question.
    public func requireCompatible(_ spec: AuditSpec, evaluationHash: String, source: String) throws {
        guard spec.hash == specHash else {
            throw SpecError(file: source, field: "", "the baseline '\(name)' was recorded from a different spec (hash \(specHash), this one \(spec.hash)); record a new baseline")
        }
        guard evaluationHash == provenance.evaluationHash else {
            throw SpecError(file: source, field: "", "the baseline '\(name)' was recorded on different evaluation data (hash \(provenance.evaluationHash), this one \(evaluationHash)); record a new baseline")
        }
    }
}
