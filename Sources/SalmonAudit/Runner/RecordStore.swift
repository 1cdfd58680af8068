import Foundation
import SalmonIO

/// Unit records on disk, one JSON file per unit under `directory`, each written atomically
/// (temporary file, then rename): a run killed at any moment leaves only whole records, which
/// `--resume` reuses and `salmon merge` combines.
public struct RecordStore: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// `null/random-init/17` → `null_random-init_17.json`.
    public func path(for unit: AuditUnit) -> String {
        directory + "/" + unit.description.replacingOccurrences(of: "/", with: "_") + ".json"
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    /// Removes the records of `units` (those a failed run saved), and the directory when that
    /// leaves it empty; best effort (what cannot be removed is left as a reusable record).
    public func remove(_ units: [AuditUnit]) {
        for unit in units { try? FileManager.default.removeItem(atPath: path(for: unit)) }
        if let left = try? FileManager.default.contentsOfDirectory(atPath: directory), left.isEmpty {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    public func save(_ record: UnitRecord) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw InputError(file: directory, expected: "a directory the audit can create and write to")
        }
        try AtomicFile.write(Self.encoder.encode(record), to: path(for: record.unit))
    }

    /// The stored record of `unit` if there is one made from the same spec, data and package
    /// version (and record format): anything else is recomputed, never reused.
    public func load(_ unit: AuditUnit, specHash: String, dataHash: String) -> UnitRecord? {
        guard let data = FileManager.default.contents(atPath: path(for: unit)),
              let record = try? Self.decoder().decode(UnitRecord.self, from: data),
              record.format == UnitRecord.format, record.specHash == specHash, record.dataHash == dataHash,
              record.packageVersion == AuditPlan.packageVersion, record.unit == unit else { return nil }
        return record
    }

    /// Every record in the directory (any spec), for merging; unreadable files are reported.
    public func loadAll() throws -> [UnitRecord] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return try names.filter { $0.hasSuffix(".json") }.sorted().map { name in
            let file = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: file) else {
                throw SpecError(file: file, field: "", "cannot read the unit record")
            }
            try JSONDocument.validate(data, source: file)
            do { return try Self.decoder().decode(UnitRecord.self, from: data) } catch let error as DecodingError {
                let (field, expected) = JSONDocument.describe(error, in: data)
                throw SpecError(file: file, field: field, "expected \(expected) (a DeadSalmon unit record, \(UnitRecord.format))")
            }
        }
    }
}
