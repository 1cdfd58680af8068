import Foundation
import SalmonStatistics

/// Turns unit records into an ``AuditResult``: estimates and intervals, null distributions,
/// Monte Carlo p-values, the correction across every test, effect sizes, verdicts and claim
/// outcomes. A pure function of the spec and the records: the same records give the same bytes.
public enum AuditAssembler {
    /// Assembles the result.
    /// - Parameters:
    ///   - records: one per unit of the audit (any order; duplicates must be identical).
    ///   - model: the model description for reports.
    ///   - dataHash: the hash of the data the units read.
    ///   - nullRecords: when gating against a baseline, its null records replace the spec's own.
    /// - Throws: ``AuditError`` when a unit is missing or a record disagrees with the spec.
    public static func assemble(spec: AuditSpec, records: [UnitRecord], model: String, dataHash: String,
                                evaluationHash: String, jobs: Int, shards: Int = 1, baseline: Baseline? = nil) throws -> AuditResult {
        let specHash = spec.hash
        var byUnit: [AuditUnit: UnitRecord] = [:]
        for r in records {
            guard r.specHash == specHash else {
                throw AuditError("record \(r.unit) was made by a different spec (hash \(r.specHash), expected \(specHash))")
            }
            guard r.dataHash == dataHash else {
                throw AuditError("record \(r.unit) was made from different data or trained weights (data hash \(r.dataHash), expected \(dataHash)); rerun without --resume, or merge shards of one run")
            }
            if let existing = byUnit[r.unit], existing != r {
                throw AuditError("two different records for \(r.unit)")
            }
            byUnit[r.unit] = r
        }
        let trainedCount = AuditPlan.trainedSeeds(spec)
        let nullSpecs = baseline?.spec.nulls ?? spec.nulls
        var nullValues: [String: [String: [Double]]] = [:]  // family → key → values
        if let baseline {
            nullValues = baseline.nullValues
        } else {
            for null in spec.nulls {
                var perKey: [String: [Double]] = [:]
                for k in 0..<null.K {
                    guard let r = byUnit[.null(family: null.family, index: k)] else {
                        // A sequential family needs its models up to where its tests stopped
                        // (checked test by test below); the rest need all K.
                        if null.sequential != nil { break }
                        throw AuditError("missing the record of null/\(null.family)/\(k): merge every shard, or run without --shard")
                    }
                    for (key, v) in r.values { perKey[key, default: []].append(v) }
                }
                nullValues[null.family] = perKey
            }
        }
        var trained: [UnitRecord] = []
        for s in 0..<trainedCount {
            guard let r = byUnit[.trained(seed: s)] else { throw AuditError("missing the record of trained/\(s)") }
            trained.append(r)
        }

        var tests: [TestResult] = []
        var notes: [String] = []
        let plan = spec.nulls.contains { $0.sequential != nil } ? try AuditPowerPlan(spec: spec) : nil
        for claim in spec.claims {
            for site in AuditPlan.sites(for: claim, in: spec) {
                let key = testKey(claim: claim.name, site: site)
                // Every trained network has a value, except network 0 under similarityToTrained (the
                // anchor the others are compared with).
                let (contributing, values, estimate) = try trainedEstimate(claim: claim, key: key, trained: trained)
                let (interval, intervalMethod, note) = try Self.interval(spec: spec, claim: claim, site: site, key: key, trained: contributing,
                                                                           estimate: estimate)
                if let note { notes.append(note) }
                for null in nullSpecs where AuditPlan.isTested(claim, at: site, against: null.family, in: spec) {
                    guard let raw = nullValues[null.family]?[key], !raw.isEmpty else {
                        throw AuditError(null.sequential != nil ? "missing the record of null/\(null.family)/0: merge every shard, or run without --shard"
                                                                 : "no null values for \(key) in family \(null.family)")
                    }
                    if null.sequential != nil, baseline == nil {
                        tests.append(try Self.sequentialTest(claim: claim, site: site, null: null, estimate: estimate, trainedValues: values,
                                                             interval: interval, intervalMethod: intervalMethod, nullRaw: raw, spec: spec,
                                                             plan: plan ?? AuditPowerPlan(spec: spec)))
                        continue
                    }
                    tests.append(try Self.test(claim: claim, site: site, family: null.family, estimate: estimate, trainedValues: values,
                                               interval: interval, intervalMethod: intervalMethod, nullRaw: raw,
                                               modelsPerDraw: values.count, spec: spec))
                }
            }
        }
        if trainedCount > 1, let remainder = nullSpecs.first(where: { $0.K % trainedCount != 0 }) {
            notes.append("K = \(remainder.K) for \(remainder.family) is not a multiple of K_t = \(trainedCount): the last \(remainder.K % trainedCount) null model(s) are not used in the null draws")
        }
        let anchored = spec.claims.filter(\.isAnchoredOnTrainedNetworkZero)
        if anchored.contains(where: { $0.statistic == "similarityToTrained" }) {
            notes.append("similarityToTrained: trained network 0 is the anchor; the estimate is the mean similarity of trained networks 1 … \(trainedCount - 1) to it, and each null draw averages \(trainedCount - 1) null model(s) made from network 0")
        }
        let compared = Set(anchored.map(\.statistic)).subtracting(["similarityToTrained"]).sorted()
        if !compared.isEmpty {
            notes.append("\(compared.joined(separator: ", ")): trained network 0 is the anchor; the estimate is the mean over trained networks 1 … \(trainedCount - 1) compared with it, and each null draw averages \(trainedCount - 1) null model(s), each compared with it")
        }

        // A sequential family's null models used: those of its longest-running test. They set the
        // provenance's count, the notes, and which records' diagnostics are read (below).
        var usedByFamily: [String: Int] = [:]
        if baseline == nil {
            for null in spec.nulls where null.sequential != nil {
                let mine = tests.filter { $0.family == null.family }
                let used = mine.map { $0.null.values.count * $0.null.modelsPerDraw }.max() ?? 0
                usedByFamily[null.family] = used
                notes.append(sequentialNote(null: null, tests: mine, modelsUsed: used))
            }
        }
        let modelsUsed = nullSpecs.reduce(0) { $0 + (usedByFamily[$1.family] ?? $1.K) }
        let claims = try conclude(&tests, spec: spec, baseline: baseline)

        let policy = Policy(alpha: spec.alpha, correction: spec.correction, testCount: tests.count,
                            minimumEffect: spec.gate.minimumEffect, requireSignificance: spec.gate.requireSignificance,
                            interval: spec.resampling.interval, level: spec.resampling.level,
                            bootstrapResamples: spec.resampling.bootstrap)
        let provenance = Provenance(package: "DeadSalmon", packageVersion: AuditPlan.packageVersion, masterSeed: spec.seed,
                                    generator: RandomStream.generatorName, streamDerivation: RandomStream.derivationScheme,
                                    specHash: specHash, dataHash: dataHash, evaluationHash: evaluationHash, jobs: nil, blasThreadsPerWorker: nil, shards: nil,
                                    nullModels: modelsUsed, trainedModels: trainedCount)
        // Diagnostics of the models the tests read: a sequential family's models past where its
        // tests stopped (computed by shards, which cannot see the stop) are left out, so the notes
        // are the same for any jobs and shard split.
        var summed: [String: Double] = [:]
        for record in byUnit.values {
            if case .null(let family, let index) = record.unit, let used = usedByFamily[family], index >= used { continue }
            for (name, value) in record.diagnostics { summed[name, default: 0] += value }
        }
        let used = Set(spec.claims.map(\.family.name))
        let diagnosticsNote = ClaimFamilies.registered.filter { used.contains($0.name) }.flatMap { $0.notes(diagnostics: summed) }
        return AuditResult(name: spec.name, spec: spec, model: model, provenance: provenance, policy: policy, tests: tests,
                           claims: claims,
                           baseline: baseline.map { BaselineReference(name: $0.name, specHash: $0.specHash, recordedDataHash: $0.dataHash) },
                           notes: notes + diagnosticsNote, run: RunEnvironment(jobs: jobs, shards: shards))
    }

    /// The correction across every test, the verdicts, the baseline check and the claim outcomes.
    static func conclude(_ tests: inout [TestResult], spec: AuditSpec, baseline: Baseline?) throws -> [ClaimOutcome] {
        let adjustment = try MultipleTesting.adjust(tests.map(\.pValue), method: spec.correction, alpha: spec.alpha)
        for i in tests.indices {
            tests[i].adjustedPValue = adjustment.adjusted[i]
            (tests[i].verdict, tests[i].basis) = try verdict(i, tests: tests, rejected: adjustment.reject[i], spec: spec)
        }
        if let baseline { applyBaseline(baseline, to: &tests, spec: spec) }
        return outcomes(tests: tests, spec: spec)
    }

    /// Re-tests a result's trained estimates against a baseline's stored null distributions
    /// (`salmon gate`): new p-values, correction, verdicts and claim outcomes; estimates and
    /// intervals are the result's own.
    /// - Throws: ``SpecError`` when the baseline was recorded from a different spec.
    public static func regate(_ result: AuditResult, against baseline: Baseline, source: String) throws -> AuditResult {
        try baseline.requireCompatible(result.spec, evaluationHash: result.provenance.evaluationHash, source: source)
        let spec = result.spec
        var tests: [TestResult] = []
        for claim in spec.claims {
            for site in AuditPlan.sites(for: claim, in: spec) {
                guard let mine = result.tests.first(where: { $0.claim == claim.name && $0.site == site }) else {
                    throw SpecError(file: source, field: "tests", "no test of \(claim.name) at \(site)")
                }
                for null in baseline.spec.nulls where AuditPlan.isTested(claim, at: site, against: null.family, in: spec) {
                    guard let raw = baseline.nullValues[null.family]?[testKey(claim: claim.name, site: site)], !raw.isEmpty else {
                        throw SpecError(file: source, field: "", "the baseline '\(baseline.name)' has no \(null.family) nulls for \(claim.name) at \(site)")
                    }
                    tests.append(try test(claim: claim, site: site, family: null.family, estimate: mine.estimate,
                                          trainedValues: mine.trainedValues, interval: mine.interval, intervalMethod: mine.intervalMethod,
                                          nullRaw: raw, modelsPerDraw: mine.trainedValues.count, spec: spec))
                }
            }
        }
        let claims = try conclude(&tests, spec: spec, baseline: baseline)
        var out = result
        out.tests = tests
        out.claims = claims
        out.baseline = BaselineReference(name: baseline.name, specHash: baseline.specHash, recordedDataHash: baseline.dataHash)
        out.provenance.nullModels = baseline.spec.nulls.reduce(0) { $0 + $1.K }
        out.policy.testCount = tests.count
        return out
    }

    /// A claim's trained values at a test key (network 0 left out when the claim is anchored on it)
    /// and their mean, the estimate.
    static func trainedEstimate(claim: ClaimSpec, key: String, trained: [UnitRecord]) throws
        -> (contributing: [UnitRecord], values: [Double], estimate: Double) {
        let contributing = claim.isAnchoredOnTrainedNetworkZero ? Array(trained.dropFirst()) : trained
        let values = try contributing.map { r -> Double in
            guard let v = r.values[key] else { throw AuditError("\(r.unit) has no value for \(key)") }
            return v
        }
        guard !values.isEmpty else { throw AuditError("\(key): no trained network has a value (similarityToTrained needs K_t ≥ 2)") }
        return (contributing, values, values.reduce(0, +) / Double(values.count))
    }

    /// A test against a family drawn sequentially: its design run on the family's draws in order;
    /// the test keeps the draws up to its stop, its exact p-value, and the Clopper–Pearson
    /// interval of its exceedances among them.
    static func sequentialTest(claim: ClaimSpec, site: String, null: NullSpec, estimate: Double, trainedValues: [Double],
                               interval: ConfidenceInterval?, intervalMethod: String, nullRaw: [Double], spec: AuditSpec,
                               plan: AuditPowerPlan) throws -> TestResult {
        let perDraw = trainedValues.count
        guard let direction = claim.declaredStatistic?.direction else {
            throw AuditError("claim \(claim.name): method \(claim.method.name) does not declare the statistic '\(claim.statistic)'")
        }
        let design = try SequentialNulls.design(null: null, modelsPerDraw: perDraw, spec: spec, plan: plan)
        let draws = SequentialNulls.draws(nullRaw, modelsPerDraw: perDraw)
        guard let outcome = design.outcome(of: SequentialNulls.reached(draws, estimate: estimate, alternative: direction.alternative)) else {
            throw AuditError("missing the record of null/\(null.family)/\(nullRaw.count): the sequential tests against it had not stopped; merge every shard, or run without --shard")
        }
        var t = try test(claim: claim, site: site, family: null.family, estimate: estimate, trainedValues: trainedValues,
                         interval: interval, intervalMethod: intervalMethod, nullRaw: Array(nullRaw.prefix(outcome.draws * perDraw)),
                         modelsPerDraw: perDraw, spec: spec)
        guard t.extremeCount == outcome.extremeCount else {
            throw AuditError("\(t.id): the sequential design counted \(outcome.extremeCount) extreme draws, the test \(t.extremeCount)")
        }
        t.pValue = outcome.pValue
        t.adjustedPValue = outcome.pValue
        // A stop for rejection or acceptance is final: its p-value is exact, with no Monte Carlo
        // error left for more draws to resolve (the verdict rule's "could change" does not apply).
        // At the maximum, more draws (a larger max) could still change it: the interval stays.
        if outcome.stop != .maximum { t.pValueInterval = ConfidenceInterval(lower: outcome.pValue, upper: outcome.pValue, level: t.pValueInterval.level) }
        t.sequential = SequentialStop(design: design, stop: outcome.stop)
        return t
    }

    /// What a sequential family used, for the report's notes.
    static func sequentialNote(null: NullSpec, tests: [TestResult], modelsUsed: Int) -> String {
        let stops = Dictionary(grouping: tests, by: { $0.sequential?.stop ?? .maximum })
        func count(_ s: SequentialMonteCarloTest.Stop) -> Int { stops[s]?.count ?? 0 }
        let design = tests.first?.sequential?.design
        let rule = design.map { d in
            "stop for rejection after \(d.rejectionDraws.map(String.init) ?? "—") draws none reaching the estimate, for acceptance at h = \(d.exceedances) reaching it, else at \(d.maxDraws)"
        } ?? ""
        return "\(null.family): drawn sequentially (Besag & Clifford 1991, exact p-values; \(rule)): \(modelsUsed) of at most \(null.K) null models used; "
            + "\(count(.rejection)) test(s) stopped for rejection, \(count(.acceptance)) for acceptance, \(count(.maximum)) at the maximum"
    }

    /// The bootstrap interval of a claim's trained estimate at a site.
    static func interval(spec: AuditSpec, claim: ClaimSpec, site: String, key: String, trained: [UnitRecord],
                         estimate: Double) throws -> (ConfidenceInterval?, String, String?) {
        let kind = spec.resampling.interval, level = spec.resampling.level, b = spec.resampling.bootstrap
        if let reason = trained.lazy.compactMap({ $0.unresampled[key] }).first {
            return (nil, "not resampled", "\(key): no interval (\(reason))")
        }
        if trained.count == 1 {
            guard let stored = trained[0].bootstraps[key] else { throw AuditError("trained/0 has no bootstrap for \(key)") }
            let result = stored.result
            let runs = spec.resampling.methodSeeds ?? 1
            let described = ["mean": "per-example scores", "rows": "evaluation rows", "full": "evaluation rows, method re-run on each",
                             "method-seeds": "\(runs) method seeds × per-example scores, crossed (two-level)",
                             "rows-method-seeds-averaged": "evaluation rows, the statistic averaged over \(runs) method seeds (seeds fixed)"]
            let what = described[stored.path] ?? "evaluation rows (\(stored.path))"
            let method = "\(kind.rawValue) bootstrap over \(what), B = \(b)"
            guard let ci = try? result.interval(kind, level: level), ci.lower.isFinite, ci.upper.isFinite else {
                return (nil, method, "\(key): no \(kind.rawValue) interval (\(result.diagnostics.joined(separator: "; ").isEmpty ? "degenerate bootstrap distribution" : result.diagnostics.joined(separator: "; ")))")
            }
            return (ci, method, nil)
        }
        // K_t > 1: two-level (seeds × inputs, crossed) for means of per-example scores.
        if trained.allSatisfy({ $0.perExample[key] != nil }) {
            let scores = trained.compactMap { $0.perExample[key] }
            // A claim whose sites are randomization stages has the same trained scores at every
            // site, and the same interval (its path has no site).
            let path = AuditPlan.bootstrapPath(claim, site: site, suffix: ["two-level"])
            let plan = try Bootstrap(resamples: b, seed: spec.seed, path: path, workers: 1)
            let result = try plan.twoLevelMean(scores, design: .crossed)
            let runs = claim.family.isRandom(claim) ? spec.resampling.methodSeeds ?? 1 : 1
            let averaged = runs > 1 ? "; each seed's scores averaged over \(runs) method seeds, held fixed" : ""
            let method = "\(kind.rawValue) two-level bootstrap (\(trained.count) seeds × \(scores[0].count) inputs, crossed\(averaged)), B = \(b)"
            guard let ci = try? result.interval(kind, level: level), ci.lower.isFinite, ci.upper.isFinite else {
                return (nil, method, "\(key): degenerate two-level bootstrap distribution")
            }
            return (ci, method, nil)
        }
        // Otherwise: the seeds' replicates share their resample indices; average them (inputs resampled, seeds fixed).
        let stored = trained.compactMap { $0.bootstraps[key] }
        guard stored.count == trained.count, let count = stored.first?.replicates.count else {
            throw AuditError("missing bootstraps for \(key)")
        }
        var averaged = [Double](repeating: 0, count: count)
        for s in stored { for i in 0..<count { averaged[i] += s.replicates[i] / Double(stored.count) } }
        let result = BootstrapResult(estimate: estimate, replicates: averaged, acceleration: .nan, provenance: nil)
        let used: BootstrapInterval = kind == .bca ? .percentile : kind
        let method = "\(used.rawValue) bootstrap over evaluation rows, seeds fixed (mean of \(trained.count) seeds), B = \(b)"
        guard let ci = try? result.interval(used, level: level), ci.lower.isFinite, ci.upper.isFinite else {
            return (nil, method, "\(key): degenerate bootstrap distribution")
        }
        return (ci, method, kind == .bca ? "\(key): BCa needs a jackknife over seeds and inputs; the percentile interval is reported" : nil)
    }

    static func test(claim: ClaimSpec, site: String, family: String, estimate: Double, trainedValues: [Double],
                     interval: ConfidenceInterval?, intervalMethod: String, nullRaw: [Double], modelsPerDraw: Int,
                     spec: AuditSpec) throws -> TestResult {
        // With K_t trained seeds the estimate is a mean of K_t models; each null draw is the mean of
        // K_t null models, so estimate and draws are exchangeable under the null.
        let draws = SequentialNulls.draws(nullRaw, modelsPerDraw: modelsPerDraw)
        guard !draws.isEmpty else {
            throw AuditError("\(family): K = \(nullRaw.count) null models are fewer than K_t = \(modelsPerDraw) trained seeds")
        }
        // Means of K_t values can differ from an equal mean in the last bits, depending on the order of
        // summation; values within 1e-12 (relative) of the estimate are ties, and ties count as extreme
        // (``SequentialNulls/isTie(_:estimate:)``, the sequential tests' rule too).
        let tiedDraws = draws.map { SequentialNulls.isTie($0, estimate: estimate) ? estimate : $0 }
        guard let direction = claim.declaredStatistic?.direction else {
            throw AuditError("claim \(claim.name): method \(claim.method.name) does not declare the statistic '\(claim.statistic)'")
        }
        let p = try MonteCarloTest.pValue(observed: estimate, null: tiedDraws, alternative: direction.alternative, level: 0.95)
        let q = Quantile.quantiles(draws, [0.025, 0.5, 0.975])
        let mean = Descriptive.mean(draws)
        let sd = draws.count > 1 ? Descriptive.standardDeviation(draws, ddof: 1) : 0
        let auroc = (try? EffectSize.auroc(trainedValues, nullRaw)) ?? .nan
        let effect = EffectSizes(difference: estimate - q[1], standardized: sd > 0 ? (estimate - mean) / sd : nil, auroc: auroc)
        return TestResult(id: AuditPlan.testID(claim: claim.name, site: site, family: family), claim: claim.name, site: site,
                          family: family, method: claim.method.name, statistic: claim.statistic, direction: direction.rawValue,
                          estimate: estimate, trainedValues: trainedValues, interval: interval, intervalMethod: intervalMethod,
                          null: NullDistribution(values: draws, modelsPerDraw: modelsPerDraw, mean: mean, standardDeviation: sd,
                                                 median: q[1], lower: q[0], upper: q[2]),
                          pValue: p.pValue, pValueInterval: p.interval, extremeCount: p.extremeCount, adjustedPValue: p.pValue,
                          effect: effect, verdict: .inconclusive, basis: VerdictBasis(.notSignificant), baselineInterval: nil, leftBaseline: nil)
    }

    /// The verdict of test `i` by the tool's one rule (below).
    static func verdict(_ i: Int, tests: [TestResult], rejected: Bool, spec: AuditSpec) throws -> (Verdict, VerdictBasis) {
        let t = tests[i]
        return try verdict(i, pValues: tests.map(\.pValue), adjusted: t.adjustedPValue, rejected: rejected,
                           pValueInterval: t.pValueInterval, draws: t.drawsForSmallestPValue, directedDifference: t.directedDifference,
                           alpha: spec.alpha, correction: spec.correction, minimumEffect: spec.gate.minimumEffect)
    }

    /// The one verdict rule of the tool, on test `i` of a family whose raw Monte Carlo p-values are
    /// `pValues` (corrected together by `correction`): *distinguishable* when rejected at `alpha`
    /// with a directed effect of at least `minimumEffect`; *inconclusive* when not rejected but
    /// either K = `draws` null draws cannot reach `alpha` even at p = 1/(K+1), or the p-value's
    /// Clopper–Pearson interval reaches where it would be rejected; *dead salmon* otherwise.
    /// - Returns: the verdict and the branch of the rule that decided it.
    public static func verdict(_ i: Int, pValues: [Double], adjusted: Double, rejected: Bool, pValueInterval: ConfidenceInterval,
                               draws k: Int, directedDifference: Double,
                               alpha: Double, correction: MultipleTestingMethod, minimumEffect: Double) throws -> (Verdict, VerdictBasis) {
        if rejected {
            if directedDifference >= minimumEffect { return (.distinguishable, VerdictBasis(.significant)) }
            return (.deadSalmon, VerdictBasis(.belowMinimumEffect))
        }
        var pvalues = pValues
        pvalues[i] = 1 / Double(k + 1)
        let best = try MultipleTesting.adjust(pvalues, method: correction, alpha: alpha)
        if !best.reject[i] { return (.inconclusive, VerdictBasis(.unreachable, bestAdjustedPValue: best.adjusted[i])) }
        pvalues[i] = pValueInterval.lower
        let low = try MultipleTesting.adjust(pvalues, method: correction, alpha: alpha)
        if low.reject[i] { return (.inconclusive, VerdictBasis(.couldChange)) }
        return (.deadSalmon, VerdictBasis(.notSignificant))
    }

    static func outcomes(tests: [TestResult], spec: AuditSpec) -> [ClaimOutcome] {
        var out: [ClaimOutcome] = []
        for claim in spec.claims {
            for site in AuditPlan.sites(for: claim, in: spec) {
                let mine = tests.filter { $0.claim == claim.name && $0.site == site }
                guard !mine.isEmpty else { continue }
                let failing: [TestResult]
                switch claim.expect {
                case .distinguishable:
                    failing = mine.filter { t in
                        spec.gate.requireSignificance ? t.verdict != .distinguishable : t.directedDifference < spec.gate.minimumEffect
                    }
                case .null:
                    failing = mine.filter { $0.verdict != .deadSalmon }
                }
                let left = mine.filter { $0.leftBaseline == true }
                out.append(ClaimOutcome(claim: claim.name, site: site, expectation: claim.expect, holds: failing.isEmpty && left.isEmpty,
                                        testIDs: mine.map(\.id), failingTestIDs: failing.map(\.id)))
            }
        }
        return out
    }

    static func applyBaseline(_ baseline: Baseline, to tests: inout [TestResult], spec: AuditSpec) {
        for i in tests.indices {
            guard let recorded = baseline.intervals[tests[i].id] else { continue }
            tests[i].baselineInterval = recorded
            if spec.gate.baselineInterval {
                tests[i].leftBaseline = tests[i].estimate < recorded.lower || tests[i].estimate > recorded.upper
            }
        }
    }
}
