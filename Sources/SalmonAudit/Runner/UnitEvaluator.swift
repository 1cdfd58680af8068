public import SalmonDiagnostics
import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// Computes one unit's record: captures the activations the claims read, evaluates every claim
/// at every site through its family's evaluator (``ClaimFamily``), and for a trained unit
/// bootstraps each statistic over the evaluation inputs as the measurement says.
///
/// Streams: a claim's method draws from ``AuditPlan/methodStream(_:site:seed:)`` — the same for
/// every unit, so trained and null models face identical folds, control labels and noise and
/// differ only in the network (which keeps them exchangeable under the null). The bootstrap of a
/// trained statistic draws from ``AuditPlan/bootstrapPath(_:site:suffix:)``. A claim whose sites
/// are randomization stages gives a trained network the same value at every site: it is
/// evaluated (and bootstrapped) once and stands at each site.
struct UnitEvaluator: Sendable {
    let spec: AuditSpec
    let subject: any AuditSubject
    let specHash: String
    /// Each claim's evaluator, in spec order.
    let evaluators: [any ClaimEvaluator]

    /// - Throws: ``AuditError`` naming the claim when its family cannot evaluate it on `subject`.
    init(spec: AuditSpec, subject: any AuditSubject, specHash: String) throws {
        self.spec = spec
        self.subject = subject
        self.specHash = specHash
        evaluators = try spec.claims.map { claim in
            do { return try claim.family.evaluator(for: claim, subject: subject, seed: spec.seed) } catch let e as AuditError {
                throw e
            } catch let e as SpecError {
                throw e
            } catch {
                throw AuditError("claim \(claim.name): \(error)")
            }
        }
    }

    func evaluate(_ unit: AuditUnit) throws -> UnitRecord {
        let activations: [String: Tensor]
        do { activations = try subject.activations(unit, sites: AuditPlan.allSites(spec)) } catch {
            throw AuditError("\(unit): \(error)")
        }
        var record = UnitRecord(specHash: specHash, dataHash: subject.dataHash, unit: unit)
        let memo = UnitMemo()
        for (claim, evaluator) in zip(spec.claims, evaluators) {
            let readsActivations = claim.requirements.contains(.activations)
            var sameAtEverySite: (value: Double, bootstrap: StoredBootstrap?, scores: [Double]?, unresampled: String?)?
            for site in AuditPlan.sites(for: claim, in: spec) {
                if case .null(let family, _) = unit, !AuditPlan.isTested(claim, at: site, against: family, in: spec) { continue }
                let key = testKey(claim: claim.name, site: site)
                if let shared = sameAtEverySite {
                    record.values[key] = shared.value
                    record.bootstraps[key] = shared.bootstrap
                    record.perExample[key] = shared.scores
                    record.unresampled[key] = shared.unresampled
                    continue
                }
                var siteActivations: Tensor?
                if readsActivations {
                    guard let a = activations[site] else { throw AuditError("\(unit): site '\(site)' produced no activations") }
                    siteActivations = a
                }
                // R runs of a random method (one otherwise): run 0 on the claim's method stream, run r
                // on its child "method-seed" → r; the same streams for every unit.
                let base = AuditPlan.methodStream(claim, site: site, seed: spec.seed)
                let runs = claim.family.isRandom(claim) ? spec.resampling.methodSeeds ?? 1 : 1
                var measurements: [ClaimMeasurement] = []
                for r in 0..<runs {
                    let context = ClaimContext(unit: unit, site: site, activations: siteActivations,
                                               stream: r == 0 ? base : base.derived("method-seed", .index(r)), subject: subject, memo: memo,
                                               unitActivations: activations)
                    let evaluation: ClaimEvaluation?
                    do { evaluation = try evaluator.evaluate(context, statistics: [claim.statistic]) } catch let e as AuditError {
                        throw e
                    } catch let e as SpecError {
                        // A parameter only the data can refute (TopK's k against the site's width): the field to fix.
                        throw e
                    } catch {
                        throw AuditError("\(unit), claim \(claim.name) at \(site): \(error)")
                    }
                    guard let evaluation else { break }
                    guard let measurement = evaluation.measurements[claim.statistic] else {
                        throw AuditError("\(unit), claim \(claim.name) at \(site): \(claim.method.name) did not report '\(claim.statistic)'")
                    }
                    guard measurement.value.isFinite else {
                        throw AuditError("\(unit), claim \(claim.name) at \(site): \(claim.statistic) is \(measurement.value)")
                    }
                    measurements.append(measurement)
                    for (name, value) in evaluation.diagnostics { record.diagnostics[name, default: 0] += value }
                }
                guard !measurements.isEmpty else { continue }
                let value = measurements.count == 1 ? measurements[0].value : Descriptive.mean(measurements.map(\.value))
                record.values[key] = value
                guard unit.isTrained else { continue }
                let resampled = try bootstrap(measurements, claim: claim, site: site)
                record.bootstraps[key] = resampled.bootstrap
                record.perExample[key] = resampled.scores
                if let reason = resampled.unresampled { record.unresampled[key] = reason }
                if claim.family.siteRole == .randomizationStage {
                    sameAtEverySite = (value, resampled.bootstrap, resampled.scores, resampled.unresampled)
                }
            }
        }
        return record
    }

    /// The bootstrap over evaluation inputs of a trained statistic, as its measurement asks:
    /// resampled per-example scores for means, a statistic of resampled rows, or the method
    /// refitted on resampled rows (BCa's jackknife over rows when the interval is BCa).
    ///
    /// With R > 1 runs of a random method: per-example scores are bootstrapped two-level, method
    /// seeds × inputs crossed (`Bootstrap.twoLevelMean`, the per-example scores stored as their
    /// means over runs); a statistic of rows or a refit is recomputed for every run on the same
    /// resampled rows and averaged (method seeds fixed: stated in the interval's description).
    private func bootstrap(_ measurements: [ClaimMeasurement], claim: ClaimSpec,
                           site: String) throws -> (bootstrap: StoredBootstrap?, scores: [Double]?, unresampled: String?) {
        let plan = try Bootstrap(resamples: spec.resampling.bootstrap, seed: spec.seed,
                                 path: AuditPlan.bootstrapPath(claim, site: site), workers: 1)
        let jackknife = spec.resampling.interval == .bca
        guard measurements.count > 1 else { return try bootstrap(measurements[0], plan: plan, jackknife: jackknife) }
        var scores: [[Double]] = [], statistics: [@Sendable (UnsafeBufferPointer<Int>) -> Double] = []
        var count = 0
        for m in measurements {
            switch m.resampling {
            case .meanOfScores(let s): scores.append(s)
            case .rows(let n, let statistic), .refit(let n, let statistic): statistics.append(statistic); count = n
            case .none(let reason): return (nil, nil, reason)
            }
        }
        if scores.count == measurements.count {
            let n = scores[0].count
            let means = (0..<n).map { i in scores.reduce(0) { $0 + $1[i] } / Double(scores.count) }
            return (StoredBootstrap(try plan.twoLevelMean(scores, design: .crossed), path: "method-seeds"), means, nil)
        }
        guard statistics.count == measurements.count else {
            throw AuditError("claim \(claim.name) at \(site): the runs of a random method resample differently")
        }
        let all = statistics
        let result = try plan.run(count: count, jackknife: jackknife) { rows in
            all.reduce(0) { $0 + $1(rows) } / Double(all.count)
        }
        return (StoredBootstrap(result, path: "rows-method-seeds-averaged"), nil, nil)
    }

    /// The bootstrap of one measurement.
    private func bootstrap(_ measurement: ClaimMeasurement, plan: Bootstrap,
                           jackknife: Bool) throws -> (bootstrap: StoredBootstrap?, scores: [Double]?, unresampled: String?) {
        let path = measurement.resampling.storedPath
        switch measurement.resampling {
        case .meanOfScores(let scores):
            return (StoredBootstrap(try plan.mean(scores), path: path), scores, nil)
        case .rows(let count, let statistic), .refit(let count, let statistic):
            return (StoredBootstrap(try plan.run(count: count, jackknife: jackknife, statistic: statistic), path: path), nil, nil)
        case .none(let reason):
            return (nil, nil, reason)
        }
    }
}

/// An error while running an audit (not a problem with the spec): one line naming the unit and claim.
public struct AuditError: SalmonError, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    /// The message names the unit, claim and site.
    public var location: ErrorLocation { ErrorLocation() }
    public var expected: String { message }
}
