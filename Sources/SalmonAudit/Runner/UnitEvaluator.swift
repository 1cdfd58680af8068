import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// Computes one unit's record: captures the activations, runs every claim's method at every site,
/// and for a trained unit bootstraps each statistic over the evaluation inputs.
///
/// Streams: a claim's method at a site draws from `seed → "method" → claim → site` — the same for
/// every unit, so trained and null models face identical folds and control labels and differ
/// only in the network (which keeps them exchangeable under the null). The bootstrap of a
/// trained statistic draws from `seed → "bootstrap" → claim → site`.
struct UnitEvaluator: Sendable {
    let spec: AuditSpec
    let subject: any AuditSubject
    let specHash: String
    /// Trained network 0's maps, shared by the units of attribution claims.
    let anchors = TrainedMapCache()

    init(spec: AuditSpec, subject: any AuditSubject, specHash: String) {
        self.spec = spec
        self.subject = subject
        self.specHash = specHash
    }

    func evaluate(_ unit: AuditUnit) throws -> UnitRecord {
        let sites = AuditPlan.allSites(spec)
        let activations: [String: Tensor]
        do { activations = try subject.activations(unit, sites: sites) } catch {
            throw AuditError("\(unit): \(error)")
        }
        var record = UnitRecord(specHash: specHash, dataHash: subject.dataHash, unit: unit)
        for claim in spec.claims where claim.method.isAttribution {
            try evaluateAttribution(claim, unit: unit, into: &record)
        }
        for claim in spec.claims where !claim.method.isAttribution {
            let method = ClaimMethod(claim.method)
            let statistic = ExplanationStatistic(claim.statistic, direction: .larger, summary: "")
            for site in AuditPlan.sites(for: claim, in: spec) {
                guard let a = activations[site] else { throw AuditError("\(unit): site '\(site)' produced no activations") }
                let key = testKey(claim: claim.name, site: site)
                let stream = RandomStream(seed: spec.seed, path: ["method", .label(claim.name), .label(site)])
                let explanation: Explanation
                do {
                    let data = try subject.probeData(claim: claim, activations: a)
                    explanation = try method.explain(data, stream: stream)
                    record.values[key] = try statistic.value(in: explanation)
                } catch {
                    throw AuditError("\(unit), claim \(claim.name) at \(site): \(error)")
                }
                for (name, value) in explanation.diagnostics { record.diagnostics[name, default: 0] += value }
                if unit.isTrained {
                    try bootstrap(claim: claim, site: site, key: key, explanation: explanation, method: method,
                                  activations: a, into: &record)
                }
            }
        }
        return record
    }

    /// An attribution claim at each of its sites (``AttributionClaim``): the mean of the per-input
    /// scores and, for a trained network, the scores and their bootstrap over inputs
    /// (`seed → "bootstrap" → claim`). A trained network's maps do not depend on the site, so its
    /// scores are computed once and stand at every site.
    private func evaluateAttribution(_ claim: ClaimSpec, unit: AuditUnit, into record: inout UnitRecord) throws {
        let features: Int
        do { features = try subject.attributionData(claim: claim).inputs.shape[1] } catch {
            throw AuditError("\(unit), claim \(claim.name): \(error)")
        }
        let attribution: AttributionClaim
        do { attribution = try AttributionClaim(claim, features: features) } catch { throw AuditError("claim \(claim.name): \(error)") }
        var trainedScores: (evaluation: AttributionClaim.Evaluation, bootstrap: StoredBootstrap)?
        for site in AuditPlan.sites(for: claim, in: spec) {
            if case .null(let family, _) = unit, !AuditPlan.isTested(claim, at: site, against: family, in: spec) { continue }
            let key = testKey(claim: claim.name, site: site)
            if let trainedScores {
                record.values[key] = Descriptive.mean(trainedScores.evaluation.perExample)
                record.perExample[key] = trainedScores.evaluation.perExample
                record.bootstraps[key] = trainedScores.bootstrap
                continue
            }
            let evaluation: AttributionClaim.Evaluation?
            do {
                evaluation = try attribution.evaluate(unit, site: site, subject: subject, seed: spec.seed, anchors: anchors)
            } catch let e as AuditError {
                throw e
            } catch {
                throw AuditError("\(unit), claim \(claim.name) at \(site): \(error)")
            }
            guard let evaluation else { continue }
            record.values[key] = Descriptive.mean(evaluation.perExample)
            for (name, value) in evaluation.diagnostics { record.diagnostics[name, default: 0] += value }
            if unit.isTrained {
                let plan = try Bootstrap(resamples: spec.resampling.bootstrap, seed: spec.seed,
                                         path: ["bootstrap", .label(claim.name)], workers: 1)
                let stored = StoredBootstrap(try plan.mean(evaluation.perExample), path: "mean")
                record.perExample[key] = evaluation.perExample
                record.bootstraps[key] = stored
                trainedScores = (evaluation, stored)
            }
        }
    }

    /// The bootstrap over evaluation inputs of a trained statistic: resampled per-example scores
    /// for means (accuracy, selectivity), resampled rows for R², and the method re-run on
    /// resampled rows otherwise (the full path).
    private func bootstrap(claim: ClaimSpec, site: String, key: String, explanation: Explanation, method: ClaimMethod,
                           activations: Tensor, into record: inout UnitRecord) throws {
        let plan = try Bootstrap(resamples: spec.resampling.bootstrap, seed: spec.seed,
                                 path: ["bootstrap", .label(claim.name), .label(site)], workers: 1)
        let jackknife = spec.resampling.interval == .bca
        if let scores = explanation.perExample[claim.statistic] {
            record.perExample[key] = scores
            record.bootstraps[key] = StoredBootstrap(try plan.mean(scores), path: "mean")
        } else if claim.statistic == "r2", let errors = explanation.perExample["squaredError"],
                  let targets = explanation.perExample["target"] {
            let result = try plan.run(count: errors.count, jackknife: jackknife) { rows in
                var sse = 0.0, sum = 0.0
                for i in rows { sse += errors[i]; sum += targets[i] }
                let mean = sum / Double(rows.count)
                var total = 0.0
                for i in rows { total += (targets[i] - mean) * (targets[i] - mean) }
                return total > 0 ? 1 - sse / total : .nan
            }
            record.bootstraps[key] = StoredBootstrap(result, path: "rows")
        } else {
            let data = try subject.probeData(claim: claim, activations: activations)
            let stream = RandomStream(seed: spec.seed, path: ["method", .label(claim.name), .label(site)])
            let statistic = ExplanationStatistic(claim.statistic, direction: .larger, summary: "")
            let result = try plan.run(count: data.rowCount, jackknife: jackknife) { rows in
                guard let resampled = try? data.resampled(rows: Array(rows)),
                      let e = try? method.explain(resampled, stream: stream) else { return .nan }
                return (try? statistic.value(in: e)) ?? .nan
            }
            record.bootstraps[key] = StoredBootstrap(result, path: "full")
        }
    }
}

/// An error while running an audit (not a problem with the spec): one line naming the unit and claim.
public struct AuditError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
