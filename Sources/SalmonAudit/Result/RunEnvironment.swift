import Foundation

/// How a run was carried out, as opposed to what it found: the worker threads, the BLAS threads
/// per worker and the shards merged. Results do not depend on any of it, so it is kept out of
/// `results.json` and `report.md` (which are then byte-identical for any `--jobs` and any shard
/// split) and written beside them as `run.json`.
public struct RunEnvironment: Sendable, Codable, Equatable, VersionedResult {
    /// The JSON schema identifier of `run.json`.
    public static let schemaIdentifier = "deadsalmon.run/1"

    public var schema: String
    /// Worker threads of the run(s) that computed the units.
    public var jobs: Int
    /// BLAS threads inside each worker (1: the units run BLAS single-threaded).
    public var blasThreadsPerWorker: Int
    /// Shards merged into the result (1 for a single run).
    public var shards: Int

    public init(jobs: Int, blasThreadsPerWorker: Int = 1, shards: Int = 1) {
        self.schema = Self.schemaIdentifier
        self.jobs = jobs
        self.blasThreadsPerWorker = blasThreadsPerWorker
        self.shards = shards
    }

    /// Counts of at least 1 each.
    public func validate() throws {
        for (name, value) in [("jobs", jobs), ("blasThreadsPerWorker", blasThreadsPerWorker), ("shards", shards)] where value < 1 {
            throw SpecError(field: name, "expected at least 1, found \(value)")
        }
    }
}
