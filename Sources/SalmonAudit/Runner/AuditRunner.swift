import Foundation
import SalmonNetworks

/// Runs an audit's units — trained models and null models — in parallel, seed-addressed.
///
/// Parallelism: a task group keeps at most `jobs` units in flight, with OpenBLAS single-threaded
/// meanwhile (no oversubscription, and the same bits whatever the thread count: OpenBLAS's results
/// can depend on its own thread count, so every audit computation runs it single-threaded). Every unit is a pure function of the spec and its address, so
/// the records, and every result assembled from them, are identical for any `jobs`, any shard
/// split, and across interruptions. With a store, each finished unit is saved at once; with
/// `resume`, units already stored for this spec are read back instead of recomputed.
public struct AuditRunner: Sendable {
    public var spec: AuditSpec
    public var subject: any AuditSubject
    public var jobs: Int
    public var shard: Shard
    public var store: RecordStore?
    public var resume: Bool
    /// Called after each unit with (done, total) — from the runner's own task, never concurrently.
    public var progress: (@Sendable (Int, Int) -> Void)?
    /// Run only the trained units (when the nulls come from a baseline).
    public var trainedOnly: Bool

    public init(spec: AuditSpec, subject: any AuditSubject, jobs: Int = 1, shard: Shard = .whole, store: RecordStore? = nil,
                resume: Bool = false, progress: (@Sendable (Int, Int) -> Void)? = nil, trainedOnly: Bool = false) {
        self.trainedOnly = trainedOnly
        self.spec = spec
        self.subject = subject
        self.jobs = max(1, jobs)
        self.shard = shard
        self.store = store
        self.resume = resume
        self.progress = progress
    }

    /// What a run did.
    public struct Outcome: Sendable {
        /// The records of this shard's units, in unit order.
        public var records: [UnitRecord]
        /// Units read back from the store (`resume`).
        public var reused: Int
        public var computed: Int
    }

    /// The units this run is responsible for.
    public var units: [AuditUnit] {
        AuditPlan.units(spec).enumerated().filter { shard.contains(position: $0.offset) && (!trainedOnly || $0.element.isTrained) }
            .map(\.element)
    }

    public func run() async throws -> Outcome {
        let specHash = spec.hash
        let units = self.units
        var records = [UnitRecord?](repeating: nil, count: units.count)
        var todo: [Int] = []
        for (i, unit) in units.enumerated() {
            if resume, let stored = store?.load(unit, specHash: specHash, dataHash: subject.dataHash) {
                records[i] = stored
            } else {
                todo.append(i)
            }
        }
        let reused = units.count - todo.count
        let evaluator = try UnitEvaluator(spec: spec, subject: subject, specHash: specHash)
        BLAS.enterSingleThreaded()
        defer { BLAS.leaveSingleThreaded() }
        var done = reused
        progress?(done, units.count)
        // The records this run saved: removed again when the run fails on an error (bad input met
        // by a later unit), so that no partial output is left; a killed run keeps them for --resume.
        var saved: [AuditUnit] = []
        do {
            // The error reported is the first in unit order, whatever the scheduling: units are
            // launched in order, so when one fails every earlier unit is running or done; no new
            // unit is launched, the running ones are let finish, and the earliest failure is thrown
            // (the one a run with --jobs 1 meets). Before, whichever failed first was reported.
            var failure: (index: Int, error: any Error)?
            try await withThrowingTaskGroup(of: (Int, Result<UnitRecord, any Error>).self) { group in
                var next = 0
                func launch() {
                    let i = todo[next]
                    let unit = units[i]
                    next += 1
                    group.addTask { (i, Result { try evaluator.evaluate(unit) }) }
                }
                for _ in 0..<min(jobs, todo.count) { launch() }
                while let (i, outcome) = try await group.next() {
                    switch outcome {
                    case .failure(let error):
                        if failure.map({ i < $0.index }) ?? true { failure = (i, error) }
                    case .success(let record):
                        try store?.save(record)
                        saved.append(record.unit)
                        records[i] = record
                        done += 1
                        progress?(done, units.count)
                    }
                    if failure == nil && next < todo.count { launch() }
                }
            }
            if let failure { throw failure.error }
        } catch {
            if let store { store.remove(saved) }
            throw error
        }
        return Outcome(records: records.compactMap { $0 }, reused: reused, computed: todo.count)
    }
}
