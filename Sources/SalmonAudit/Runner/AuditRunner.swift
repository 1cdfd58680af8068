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
        /// The units this run saved to the store (removed again when a later round fails).
        var saved: [AuditUnit] = []
    }

    /// The units this run is responsible for.
    public var units: [AuditUnit] {
        AuditPlan.units(spec).enumerated().filter { shard.contains(position: $0.offset) && (!trainedOnly || $0.element.isTrained) }
            .map(\.element)
    }

    /// Whether this run draws its sequential families in rounds (a whole run; a shard cannot see
    /// the other shards' draws, so it computes its share of every family's K).
    var drawsSequentially: Bool {
        shard.count == 1 && !trainedOnly && spec.nulls.contains { $0.sequential != nil }
    }

    public func run() async throws -> Outcome {
        let evaluator = try UnitEvaluator(spec: spec, subject: subject, specHash: spec.hash)
        BLAS.enterSingleThreaded()
        defer { BLAS.leaveSingleThreaded() }
        guard drawsSequentially else { return try await compute(units, evaluator: evaluator) }
        // Rounds: first the trained units and the fixed families, then each sequential family up
        // to the next draw at which one of its running tests could stop, until all have stopped.
        // Which models are drawn depends only on the records, never on scheduling or `jobs`: no
        // model past that draw is computed, so a model no test reads can neither add to the
        // diagnostics nor fail the run.
        let sequential = Set(spec.nulls.filter { $0.sequential != nil }.map(\.family))
        let most = units.count
        var outcome = try await compute(units.filter { unit in
            if case .null(let family, _) = unit { return !sequential.contains(family) }
            return true
        }, evaluator: evaluator, total: most)
        var present: [String: Int] = [:]
        var nullValues: [String: [String: [Double]]] = [:]
        let trained = outcome.records.filter(\.unit.isTrained)  // in seed order, as `units` lists them
        do {
            while true {
                let needed = try SequentialNulls.modelsNeeded(spec: spec, trained: trained, nullValues: nullValues, modelsPresent: present)
                var round: [AuditUnit] = []
                for null in spec.nulls {
                    guard let target = needed[null.family] else { continue }
                    let have = present[null.family] ?? 0
                    round += (have..<min(null.K, target)).map { AuditUnit.null(family: null.family, index: $0) }
                }
                if round.isEmpty { break }
                let more = try await compute(round, evaluator: evaluator, offset: outcome.records.count, total: most)
                for record in more.records {
                    guard case .null(let family, _) = record.unit else { continue }
                    present[family, default: 0] += 1
                    for (key, v) in record.values { nullValues[family, default: [:]][key, default: []].append(v) }
                }
                outcome.records += more.records
                outcome.reused += more.reused
                outcome.computed += more.computed
                outcome.saved += more.saved
            }
        } catch {
            // A failing round removed its own records; those of the rounds before go too.
            if let store { store.remove(outcome.saved) }
            throw error
        }
        return outcome
    }

    /// Computes (or, resuming, reads back) `units`, `jobs` at a time; the records in `units`' order.
    /// Progress is reported as `(offset + done, total)`, `total` defaulting to `units.count`: a
    /// sequential run's rounds count against every model the run may draw.
    func compute(_ units: [AuditUnit], evaluator: UnitEvaluator, offset: Int = 0, total: Int? = nil) async throws -> Outcome {
        let total = total ?? units.count
        func report(_ done: Int) { progress?(offset + done, total) }
        let specHash = spec.hash
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
        var done = reused
        report(done)
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
                        report(done)
                    }
                    if failure == nil && next < todo.count { launch() }
                }
            }
            if let failure { throw failure.error }
        } catch {
            if let store { store.remove(saved) }
            throw error
        }
        return Outcome(records: records.compactMap { $0 }, reused: reused, computed: todo.count, saved: saved)
    }
}
