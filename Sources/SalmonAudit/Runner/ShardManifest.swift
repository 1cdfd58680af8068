import Foundation
import SalmonIO

/// What a shard run (`--shard i/n`) leaves next to its records, `shard.json`, so that the shards
/// can be merged into the result of one run without the model: the spec, the shard, and the
/// subject's description and hashes.
public struct ShardManifest: Codable, Sendable {
    public static let format = "deadsalmon.shard/1"
    public static let fileName = "shard.json"

    public var format: String = ShardManifest.format
    public var spec: AuditSpec
    public var specHash: String
    public var shard: Shard
    public var model: String
    public var dataHash: String
    public var evaluationHash: String
    public var jobs: Int

    public init(spec: AuditSpec, shard: Shard, subject: any AuditSubject, jobs: Int) {
        self.spec = spec
        specHash = spec.hash
        self.shard = shard
        model = subject.modelDescription
        dataHash = subject.dataHash
        evaluationHash = subject.evaluationHash
        self.jobs = jobs
    }

    /// Writes `directory/shard.json` atomically (creating the directory).
    /// - Throws: ``InputError`` when the directory cannot be made or written.
    public func write(to directory: String) throws {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw InputError(file: directory, expected: "a directory the shard can be written to")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(self), to: directory + "/" + Self.fileName)
    }

    /// Reads `directory/shard.json`.
    /// - Throws: ``InputError`` naming the file when it is missing or not a manifest.
    public static func read(directory: String) throws -> ShardManifest {
        guard !directory.isEmpty else { throw InputError(file: "SHARD", expected: "a shard directory, found an empty argument") }
        let path = directory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, expected: "a shard manifest written by 'salmon audit --shard'")
        }
        try JSONDocument.validate(data, source: path)
        let manifest: ShardManifest
        do { manifest = try CanonicalSpecDecoding.jsonDecoder().decode(ShardManifest.self, from: data) } catch let error as DecodingError {
            throw SpecError(decoding: error, file: path, json: data)
        }
        guard manifest.format == format else {
            throw SpecError(file: path, field: "format", "expected '\(format)' (a file written by 'salmon audit --shard'), found '\(manifest.format)'")
        }
        guard manifest.shard.count >= 1 && (0..<manifest.shard.count).contains(manifest.shard.index) else {
            throw InputError(file: path, field: "shard", expected: "an index in 0..<count with count ≥ 1, found \(manifest.shard.index)/\(manifest.shard.count)")
        }
        return manifest
    }

    /// Merges the outputs of shard runs (each a directory holding `shard.json` and `records/`)
    /// into the result of one run: the same bytes as an unsharded run of the spec.
    /// - Returns: the result and every record (to store beside the merged reports).
    /// - Throws: ``InputError`` when a manifest is missing, the shards come from different
    ///   specs, data or splits (`0/2` beside `1/3`), or one shard is given twice; ``AuditError``
    ///   when a unit's record is missing (naming the records of another spec that were set aside).
    public static func merge(_ directories: [String]) throws -> (result: AuditResult, records: [UnitRecord]) {
        var manifests: [ShardManifest] = []
        var records: [UnitRecord] = []
        var setAside: [String] = []
        for directory in directories {
            let manifest = try read(directory: directory)
            manifests.append(manifest)
            let stored = try RecordStore(directory: directory + "/records").loadAll()
            let own = stored.filter { $0.specHash == manifest.specHash }
            if own.count < stored.count { setAside.append("\(stored.count - own.count) in \(directory)/records") }
            records += own
        }
        guard let first = manifests.first else { throw InputError(file: "SHARD", expected: "at least one shard directory") }
        for (m, directory) in zip(manifests, directories) where m.specHash != first.specHash {
            throw InputError(file: directory + "/" + fileName, expected: "a shard of the same spec (hash \(first.specHash)), found \(m.specHash)")
        }
        guard manifests.allSatisfy({ $0.dataHash == first.dataHash }) else {
            throw InputError(file: directories.joined(separator: ", "), expected: "shards computed on the same data (their data hashes differ)")
        }
        var given: [Int: String] = [:]
        for (m, directory) in zip(manifests, directories) {
            guard m.shard.count == first.shard.count else {
                throw InputError(file: directory + "/" + fileName, field: "shard",
                                 expected: "a shard of the same split as \(directories[0]) (of \(first.shard.count)), found \(m.shard)")
            }
            if let other = given.updateValue(directory, forKey: m.shard.index) {
                throw InputError(file: directory + "/" + fileName, field: "shard", expected: "each shard once, found \(m.shard) in \(other) too")
            }
        }
        let missing = (0..<first.shard.count).filter { given[$0] == nil }
        guard missing.isEmpty else {
            throw InputError(file: "SHARD", expected: "every shard of the \(first.shard.count)-way split, found \(given.keys.sorted().map { "\($0)/\(first.shard.count)" }.joined(separator: ", ")); missing \(missing.map { "\($0)/\(first.shard.count)" }.joined(separator: ", "))")
        }
        do {
            let result = try AuditAssembler.assemble(spec: first.spec, records: records, model: first.model, dataHash: first.dataHash,
                                                     evaluationHash: first.evaluationHash, jobs: first.jobs, shards: first.shard.count)
            return (result, records)
        } catch let error as AuditError where !setAside.isEmpty && error.message.hasPrefix("missing") {
            throw AuditError(error.message + " (records of another spec were set aside: \(setAside.joined(separator: ", ")))")
        }
    }
}
