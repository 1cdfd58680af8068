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
        try AtomicFile.write(try JSONEncoder().encode(self), to: directory + "/" + Self.fileName)
    }

    /// Reads `directory/shard.json`.
    /// - Throws: ``InputError`` naming the file when it is missing or not a manifest.
    public static func read(directory: String) throws -> ShardManifest {
        let path = directory + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, expected: "a shard manifest written by 'salmon audit --shard'")
        }
        guard let manifest = try? CanonicalSpecDecoding.jsonDecoder().decode(ShardManifest.self, from: data), manifest.format == format else {
            throw InputError(file: path, expected: "a shard manifest (\(format))")
        }
        return manifest
    }

    /// Merges the outputs of shard runs (each a directory holding `shard.json` and `records/`)
    /// into the result of one run: the same bytes as an unsharded run of the spec.
    /// - Returns: the result and every record (to store beside the merged reports).
    /// - Throws: ``InputError`` when a manifest is missing, or the shards come from different
    ///   specs or data; ``AuditError`` when a unit's record is missing.
    public static func merge(_ directories: [String]) throws -> (result: AuditResult, records: [UnitRecord]) {
        var manifests: [ShardManifest] = []
        var records: [UnitRecord] = []
        for directory in directories {
            let manifest = try read(directory: directory)
            manifests.append(manifest)
            records += try RecordStore(directory: directory + "/records").loadAll().filter { $0.specHash == manifest.specHash }
        }
        guard let first = manifests.first else { throw InputError(file: "SHARD", expected: "at least one shard directory") }
        for (m, directory) in zip(manifests, directories) where m.specHash != first.specHash {
            throw InputError(file: directory + "/" + fileName, expected: "a shard of the same spec (hash \(first.specHash)), found \(m.specHash)")
        }
        guard manifests.allSatisfy({ $0.dataHash == first.dataHash }) else {
            throw InputError(file: directories.joined(separator: ", "), expected: "shards computed on the same data (their data hashes differ)")
        }
        let result = try AuditAssembler.assemble(spec: first.spec, records: records, model: first.model, dataHash: first.dataHash,
                                                 evaluationHash: first.evaluationHash, jobs: first.jobs, shards: first.shard.count)
        return (result, records)
    }
}
