import Foundation
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import SalmonTasks

/// Runs an identifiability audit (``IdentifiabilitySpec``): for each width, trains the K_t seed
/// networks (and, with `training.resamples` = R, R more per seed on bootstrap resamples of the
/// rows; see ``GateNetworkTraining``), enumerates every circuit of each converged network
/// (``CircuitEnumerator``), aligns circuits across networks up to relabeling of hidden units
/// (``CircuitAlignment``), summarizes, and judges every claim by ``IdentifiabilityVerdictRule``.
///
/// Guarantees:
/// - The result is a pure function of the spec: every draw comes from a stream addressed by
///   (master seed, path), so it does not depend on `jobs` or scheduling.
/// - Statistics about counts use only the seed networks (independent draws of the training
///   procedure); resampled networks share their seed's initialization and enter only the
///   resample overlap, summarized per seed before any interval is computed.
/// - A network that did not converge (loss target not reached, or the full network is not itself
///   perfect) is reported and left out of the circuit statistics: a circuit explains a behaviour
///   only where the network has it (Méloux et al., ICLR 2025).
public struct IdentifiabilityAudit: Sendable {
    public let spec: IdentifiabilitySpec

    /// Perfect circuits kept per network (minimality and the comparison need all of them).
    public static let keepLimit = 200_000

    public init(spec: IdentifiabilitySpec) { self.spec = spec }

    /// Trains, enumerates, aligns, summarizes and judges. `progress` receives a line per network.
    /// - Throws: ``MethodError`` from enumeration or alignment, ``StatisticsError`` from intervals.
    public func run(jobs: Int, progress: (@Sendable (String) -> Void)? = nil) throws -> IdentifiabilityAuditResult {
        BLAS.enterSingleThreaded()
        defer { BLAS.leaveSingleThreaded() }
        var widths: [IdentifiabilityAuditResult.WidthResult] = []
        var notes: [String] = []
        for width in spec.widths {
            let (result, widthNotes) = try audit(width: width, jobs: jobs, progress: progress)
            widths.append(result)
            notes += widthNotes
        }
        var claims: [IdentifiabilityAuditResult.ClaimResult] = []
        for claim in spec.claims {
            for w in claim.widths ?? spec.widths {
                guard let width = widths.first(where: { $0.width == w }) else { continue }
                claims.append(try judge(claim, width))
            }
        }
        let data = GateNetworkTraining(gate: spec.gate, sizes: spec.sizes(width: 1), training: spec.training, masterSeed: spec.seed).rows
        let provenance = IdentifiabilityProvenance(
            package: "DeadSalmon", packageVersion: AuditPlan.packageVersion, masterSeed: spec.seed,
            generator: RandomStream.generatorName, streamDerivation: RandomStream.derivationScheme,
            streams: ["identifiability/w/s/init", "identifiability/w/s/training", "identifiability/w/resample/r",
                      "identifiability/w/s[/resample/r]/overlap-sample", "identifiability/w/bootstrap/<statistic>"]
                + (spec.circuits.groundings ? ["identifiability/w/s/grounding-sample"] : [])
                + (spec.null != nil ? ["identifiability/w/permuted-labels/j/{labels,init,training,grounding-sample}",
                                       "identifiability/w/null-test/<claim>"] : []),
            specHash: spec.hash, dataHash: FNV1a.hex(floats: data.inputs.scalars + data.targets.scalars),
            networks: widths.reduce(0) { $0 + $1.networks.count })
        return IdentifiabilityAuditResult(schema: IdentifiabilityAuditResult.schemaIdentifier, name: spec.name, spec: spec,
                                          provenance: provenance,
                                          widths: widths, claims: claims, notes: notes, run: RunEnvironment(jobs: jobs))
    }

    /// One network's training and circuits.
    struct Trained: Sendable {
        var network: IdentifiabilityAuditResult.Network
        var orbits: [CircuitOrbit]?
    }

    func audit(width: Int, jobs: Int,
               progress: (@Sendable (String) -> Void)?) throws -> (IdentifiabilityAuditResult.WidthResult, [String]) {
        let started = Date()
        let spec = self.spec
        let sizes = spec.sizes(width: width)
        let recipe = GateNetworkTraining(gate: spec.gate, sizes: sizes, training: spec.training, masterSeed: spec.seed)
        let alignment = try CircuitAlignment(sizes: sizes)
        // Seed networks first (s, nil), then each seed's resamples (s, r).
        let seedCount = spec.training.seeds(width: width)
        var order: [(seed: Int, resample: Int?)] = (0..<seedCount).map { ($0, nil) }
        for s in 0..<seedCount { for r in 0..<spec.training.resamples { order.append((s, r)) } }
        let plan = order
        // Enumeration at width 5 (1.2 × 10⁹ candidates) uses every worker per network; smaller
        // widths run one network per worker.
        let wide = CircuitEnumerator.candidateCount(sizes: sizes) > 1e8
        let outcomes: [Result<Trained, MethodError>] = ParallelMap.run(count: plan.count, jobs: wide ? 1 : jobs) { i in
            let (seed, resample) = plan[i]
            do {
                return .success(try Self.train(seed: seed, resample: resample, recipe: recipe, validation: nil,
                                               alignment: alignment, spec: spec, enumerationJobs: wide ? jobs : 1, progress: progress))
            } catch let error as MethodError {
                return .failure(error)
            } catch {
                return .failure(MethodError("\(error)"))
            }
        }
        let trained = try outcomes.map { try $0.get() }
        var nullNetworks: [IdentifiabilityAuditResult.Network]? = nil
        if let null = spec.null {
            let nullRecipe = GateNetworkTraining(gate: spec.gate, sizes: sizes, training: spec.training, masterSeed: spec.seed, permutedLabels: true)
            let results: [Result<Trained, MethodError>] = ParallelMap.run(count: null.seeds, jobs: wide ? 1 : jobs) { j in
                do {
                    return .success(try Self.train(seed: j, resample: nil, recipe: nullRecipe, validation: nil, alignment: alignment, spec: spec,
                                                   enumerationJobs: wide ? jobs : 1, progress: progress))
                } catch let error as MethodError {
                    return .failure(error)
                } catch {
                    return .failure(MethodError("\(error)"))
                }
            }
            nullNetworks = try results.map { try $0.get().network }
        }
        var notes: [String] = []
        for t in trained where t.network.finalLoss == nil {
            notes.append("width \(width), seed \(t.network.seed)\(t.network.resample.map { ", resample \($0)" } ?? ""): the training loss is not finite (diverged); counted as not converged")
        }
        for t in trained where t.network.converged && t.orbits == nil {
            notes.append("width \(width), seed \(t.network.seed)\(t.network.resample.map { ", resample \($0)" } ?? ""): more than \(Self.keepLimit) perfect circuits; minimality and overlaps not computed for this network")
        }
        var result = try summarize(width: width, sizes: sizes, trained: trained, alignment: alignment, jobs: jobs, notes: &notes)
        result.nullNetworks = nullNetworks
        progress?(String(format: "width %d: %.1f s", width, Date().timeIntervalSince(started)))
        return (result, notes)
    }

    /// Trains one network, and when it converged enumerates its circuits and builds the orbits of
    /// the circuits it contributes to the comparison.
    /// `validation`: nil for the network's own table's (``GateNetworkTraining/table(seed:)``).
    static func train(seed: Int, resample: Int?, recipe: GateNetworkTraining, validation: CircuitValidation?, alignment: CircuitAlignment,
                      spec: IdentifiabilitySpec, enumerationJobs: Int, progress: (@Sendable (String) -> Void)?) throws -> Trained {
        let started = Date()
        let table = recipe.table(seed: seed)
        let validation = validation ?? CircuitValidation.booleanGate(table, repeats: spec.training.repeats, threshold: spec.circuits.threshold)
        let (model, report) = recipe.train(seed: seed, resample: resample)
        let converged = report.reachedTarget && validation.isPerfect(model(validation.inputs).scalars)
        var network = IdentifiabilityAuditResult.Network(
            width: recipe.width, seed: seed, resample: resample, epochs: report.epochs,
            finalLoss: report.finalLoss.isFinite ? report.finalLoss : nil, converged: converged, perfectCircuits: nil,
            minimalCircuits: nil, comparedCircuits: nil, comparedCircuitsSampled: false, groundings: nil, whatThenWhere: nil,
            labels: recipe.permutedLabels ? table.map { Int($0) } : nil)
        var orbits: [CircuitOrbit]? = nil
        if converged {
            var base = recipe.streamPath(seed: seed)
            if let resample { base = base.appending("resample", .index(resample)) }
            var enumerator = try CircuitEnumerator(model: model, validation: validation, keepLimit: keepLimit)
            // Groundings and formulas enter the summaries of seed networks and of null networks
            // (groundings only), never of resampled ones, so those are not computed.
            let groundsThis = spec.circuits.groundings && resample == nil
            let readsFormulas = spec.circuits.whatThenWhere && resample == nil && !recipe.permutedLabels
            if groundsThis {
                // The sample's hash seed: one draw of the network's own stream.
                var stream = RandomStream(seed: spec.seed, path: base.appending("grounding-sample"))
                enumerator.sample = (spec.circuits.groundingSample, stream.next())
            }
            let census = enumerator.run(jobs: enumerationJobs)
            network.perfectCircuits = census.perfectCount
            if let sample = census.sample {
                let counts = try GroundingStatistics.counts(model: model, circuits: sample, jobs: enumerationJobs)
                network.groundings = try GroundingStatistics(groundings: counts, perfectCircuits: census.perfectCount)
            }
            if readsFormulas {
                network.whatThenWhere = try WhatThenWhereCensus(model: model, table: table.map { Int($0) })
            }
            if census.isComplete {
                // Minimality only (exact over all pairs); no within-network pair sampling is needed.
                let stats = census.statistics(maxPairs: 0)
                network.minimalCircuits = stats.minimal.count
                var chosen = spec.circuits.overlap == .minimal ? stats.minimal.map { census.perfect[$0] } : census.perfect
                if chosen.count > spec.circuits.maxOverlapCircuits {
                    // A seeded uniform sample without replacement (partial Fisher–Yates), kept in enumeration order.
                    var stream = RandomStream(seed: spec.seed, path: base.appending("overlap-sample"))
                    var order = Array(chosen.indices)
                    for k in 0..<spec.circuits.maxOverlapCircuits {
                        order.swapAt(k, k + stream.index(below: order.count - k))
                    }
                    chosen = order.prefix(spec.circuits.maxOverlapCircuits).sorted().map { chosen[$0] }
                    network.comparedCircuitsSampled = true
                }
                network.comparedCircuits = chosen.count
                orbits = chosen.map { alignment.orbit($0) }
            }
        }
        progress?("width \(recipe.width) \(recipe.permutedLabels ? "permuted-labels network" : "seed") \(seed)\(resample.map { " resample \($0)" } ?? ""): "
                  + (converged ? "converged after \(report.epochs) epochs, \(Int(network.perfectCircuits ?? 0)) perfect circuits"
                               : "did not converge in \(report.epochs) epochs (loss \(String(format: "%.4f", report.finalLoss)))")
                  + String(format: " (%.2f s)", Date().timeIntervalSince(started)))
        return Trained(network: network, orbits: orbits)
    }

    func bootstrap(_ width: Int, _ statistic: IdentifiabilityStatistic, jobs: Int) throws -> Bootstrap {
        try Bootstrap(resamples: spec.resampling.bootstrap, seed: spec.seed,
                      path: ["identifiability", .index(width), "bootstrap", .label(statistic.rawValue)], workers: jobs)
    }

    /// The BCa interval at `level`, or nil (with a note) when the bootstrap is degenerate.
    static func interval(_ result: BootstrapResult, level: Double, what: String, notes: inout [String]) throws -> ConfidenceInterval? {
        let ci = try result.interval(.bca, level: level)
        guard ci.isDetermined else {
            notes.append("\(what): no bootstrap interval (\(result.diagnostics.first ?? "the jackknife acceleration is undefined"))")
            return nil
        }
        return ci
    }

    func summarize(width: Int, sizes: [Int], trained: [Trained], alignment: CircuitAlignment, jobs: Int,
                   notes: inout [String]) throws -> IdentifiabilityAuditResult.WidthResult {
        typealias R = IdentifiabilityAuditResult
        let level = spec.resampling.level
        let seeds = trained.filter { $0.network.resample == nil }
        let converged = seeds.filter(\.network.converged)
        let counts = converged.compactMap(\.network.perfectCircuits)
        let convergedInterval = try ClopperPearson.interval(successes: converged.count, trials: seeds.count, level: level)
        var meanPerfect = R.Estimate(value: counts.isEmpty ? nil : Descriptive.mean(counts), interval: nil,
                                     method: "bca-bootstrap-over-seeds", units: counts.count)
        if counts.count >= 2 {
            let boot = try bootstrap(width, .meanPerfectCircuits, jobs: jobs).mean(counts)
            meanPerfect.interval = try Self.interval(boot, level: level, what: "width \(width): mean perfect circuits", notes: &notes)
        }
        let q = counts.isEmpty ? [] : Quantile.quantiles(counts, [0.25, 0.5, 0.75])
        let multiple = counts.filter { $0 > 1 }.count
        let multipleInterval = counts.isEmpty ? nil : try ClopperPearson.interval(successes: multiple, trials: counts.count, level: level)

        // Cross-seed overlap: every pair of converged seed networks whose circuits were compared.
        // (A converged network may have no perfect circuit at all — every candidate removes
        // something — and then has nothing to compare.)
        let compared = converged.filter { !($0.orbits ?? []).isEmpty }
        let pairIndex = (0..<compared.count).flatMap { a in ((a + 1)..<max(a + 1, compared.count)).map { (a, $0) } }
        let overlaps = ParallelMap.run(count: pairIndex.count, jobs: jobs) { k in
            let (a, b) = pairIndex[k]
            return alignment.bestOverlap(compared[a].orbits ?? [], compared[b].orbits ?? [])
        }
        var seedPairs: [R.PairOverlap] = []
        var best = [[Double]](repeating: [Double](repeating: 0, count: compared.count), count: compared.count)
        var shares = best
        for (k, (a, b)) in pairIndex.enumerated() {
            guard let o = overlaps[k] else { continue }
            seedPairs.append(R.PairOverlap(first: compared[a].network.seed, second: compared[b].network.seed, resample: nil,
                                           best: o.best, sharesCircuit: o.sharesCircuit))
            best[a][b] = o.best; best[b][a] = o.best
            shares[a][b] = o.sharesCircuit ? 1 : 0; shares[b][a] = shares[a][b]
        }
        func pairEstimate(_ matrix: [[Double]], _ statistic: IdentifiabilityStatistic) throws -> R.Estimate {
            let pairs = SeedPairBootstrap(values: matrix)
            var estimate = R.Estimate(value: compared.count >= 2 ? pairs.estimate : nil, interval: nil,
                                      method: "bca-bootstrap-over-seeds", units: compared.count)
            if compared.count >= 3 {
                let boot = try pairs.run(try bootstrap(width, statistic, jobs: jobs))
                estimate.interval = try Self.interval(boot, level: level, what: "width \(width): \(statistic.rawValue)", notes: &notes)
            }
            return estimate
        }

        // Resample overlap: each converged seed network against its converged resampled networks,
        // averaged per seed (the seeds are the independent units).
        var resamplePairs: [R.PairOverlap] = []
        var perSeed: [Double] = []
        for seed in compared {
            let mine = trained.filter { $0.network.seed == seed.network.seed && $0.network.resample != nil && !($0.orbits ?? []).isEmpty }
            var values: [Double] = []
            for other in mine {
                guard let o = alignment.bestOverlap(seed.orbits ?? [], other.orbits ?? []) else { continue }
                resamplePairs.append(R.PairOverlap(first: seed.network.seed, second: seed.network.seed, resample: other.network.resample,
                                                   best: o.best, sharesCircuit: o.sharesCircuit))
                values.append(o.best)
            }
            if !values.isEmpty { perSeed.append(Descriptive.mean(values)) }
        }
        var resampleOverlap = R.Estimate(value: perSeed.isEmpty ? nil : Descriptive.mean(perSeed), interval: nil,
                                         method: "bca-bootstrap-over-seeds", units: perSeed.count)
        if perSeed.count >= 2 {
            let boot = try bootstrap(width, .meanResampleOverlap, jobs: jobs).mean(perSeed)
            resampleOverlap.interval = try Self.interval(boot, level: level, what: "width \(width): mean resample overlap", notes: &notes)
        }
        let resampleCounts = trained.filter { $0.network.resample != nil }.compactMap(\.network.perfectCircuits)
        let groundings = spec.circuits.groundings ? try groundingSummary(width: width, converged: converged.map(\.network), jobs: jobs, notes: &notes) : nil
        let whatThenWhere = spec.circuits.whatThenWhere ? try whatThenWhereSummary(width: width, converged: converged.map(\.network), jobs: jobs, notes: &notes) : nil

        return R.WidthResult(
            width: width, sizes: sizes, candidateCircuits: CircuitEnumerator.candidateCount(sizes: sizes),
            networks: trained.map(\.network), trained: seeds.count, converged: converged.count,
            convergedFraction: R.Estimate(value: Double(converged.count) / Double(max(seeds.count, 1)), interval: convergedInterval,
                                          method: "clopper-pearson", units: seeds.count),
            medianPerfect: q.isEmpty ? nil : q[1], quartiles: q.isEmpty ? nil : [q[0], q[2]], meanPerfect: meanPerfect,
            withMultiplePerfect: multiple,
            fractionWithMultiplePerfect: R.Estimate(value: counts.isEmpty ? nil : Double(multiple) / Double(counts.count),
                                                    interval: multipleInterval, method: "clopper-pearson", units: counts.count),
            overlapCircuits: spec.circuits.overlap.rawValue, seedPairs: seedPairs,
            meanBestOverlap: try pairEstimate(best, .meanBestOverlap),
            fractionOfPairsSharingACircuit: try pairEstimate(shares, .fractionOfPairsSharingACircuit),
            resamplePairs: resamplePairs, meanResampleOverlap: resampleOverlap,
            medianResamplePerfect: resampleCounts.isEmpty ? nil : Quantile.quantile(resampleCounts, 0.5),
            groundings: groundings, whatThenWhere: whatThenWhere)
    }

    /// Per converged seed network, the value a grounding statistic averages (nil: the network does
    /// not enter it): log₂ N (0 for N ≤ 1), H(C) (0 for at most one perfect circuit), the fraction
    /// of its perfect circuits with more than one grounding (only networks with a perfect circuit).
    static func groundingValue(_ statistic: IdentifiabilityStatistic, _ network: IdentifiabilityAuditResult.Network) -> Double? {
        guard network.converged, let g = network.groundings else { return nil }
        switch statistic {
        case .meanExplanationEntropy: return g.hasSeveralExplanations ? g.explanationEntropy : 0
        case .meanCircuitEntropy: return g.explanations > 0 ? g.circuitEntropy : 0
        case .meanFractionOfCircuitsWithMultipleGroundings: return g.fractionWithMultipleGroundings
        case .fractionWithMultipleExplanations: return g.hasSeveralExplanations ? 1 : 0
        default: return nil
        }
    }

    /// Per converged seed network, the value a what-then-where statistic averages.
    static func whatThenWhereValue(_ statistic: IdentifiabilityStatistic, _ network: IdentifiabilityAuditResult.Network) -> Double? {
        guard network.converged, let w = network.whatThenWhere else { return nil }
        switch statistic {
        case .meanMappedAlgorithms: return Double(w.mappedFormulas)
        case .meanMinimalMappings: return Double(w.minimalMappings)
        case .fractionWithMultipleMappedAlgorithms: return w.mappedFormulas > 1 ? 1 : 0
        default: return nil
        }
    }

    /// The mean over converged seed networks of a per-network value, with its BCa interval.
    func seedMean(_ values: [Double], width: Int, statistic: IdentifiabilityStatistic, what: String, jobs: Int,
                  notes: inout [String]) throws -> IdentifiabilityAuditResult.Estimate {
        var estimate = IdentifiabilityAuditResult.Estimate(value: values.isEmpty ? nil : Descriptive.mean(values), interval: nil,
                                                           method: "bca-bootstrap-over-seeds", units: values.count)
        if values.count >= 2 {
            let boot = try bootstrap(width, statistic, jobs: jobs).mean(values)
            estimate.interval = try Self.interval(boot, level: spec.resampling.level, what: "width \(width): \(what)", notes: &notes)
        }
        return estimate
    }

    func whatThenWhereSummary(width: Int, converged: [IdentifiabilityAuditResult.Network], jobs: Int,
                              notes: inout [String]) throws -> IdentifiabilityAuditResult.WhatThenWhereSummary {
        let read = converged.filter { $0.whatThenWhere != nil }
        let multiple = read.filter { ($0.whatThenWhere?.mappedFormulas ?? 0) > 1 }.count
        let interval = read.isEmpty ? nil : try ClopperPearson.interval(successes: multiple, trials: read.count, level: spec.resampling.level)
        func mean(_ s: IdentifiabilityStatistic, _ what: String) throws -> IdentifiabilityAuditResult.Estimate {
            try seedMean(read.compactMap { Self.whatThenWhereValue(s, $0) }, width: width, statistic: s, what: what, jobs: jobs, notes: &notes)
        }
        return IdentifiabilityAuditResult.WhatThenWhereSummary(
            candidateFormulas: read.first?.whatThenWhere?.candidateFormulas ?? 0,
            withMultipleMappedAlgorithms: multiple,
            fractionWithMultipleMappedAlgorithms: IdentifiabilityAuditResult.Estimate(
                value: read.isEmpty ? nil : Double(multiple) / Double(read.count), interval: interval, method: "clopper-pearson", units: read.count),
            meanMappedAlgorithms: try mean(.meanMappedAlgorithms, "mean mapped algorithms"),
            meanMinimalMappings: try mean(.meanMinimalMappings, "mean minimal mappings"))
    }

    func groundingSummary(width: Int, converged: [IdentifiabilityAuditResult.Network], jobs: Int,
                          notes: inout [String]) throws -> IdentifiabilityAuditResult.GroundingSummary {
        typealias R = IdentifiabilityAuditResult
        let level = spec.resampling.level
        let grounded = converged.filter { $0.groundings != nil }
        let multiple = grounded.filter { $0.groundings?.hasSeveralExplanations == true }.count
        let multipleInterval = grounded.isEmpty ? nil : try ClopperPearson.interval(successes: multiple, trials: grounded.count, level: level)
        func mean(_ statistic: IdentifiabilityStatistic, _ what: String) throws -> R.Estimate {
            try seedMean(grounded.compactMap { Self.groundingValue(statistic, $0) }, width: width, statistic: statistic, what: what,
                         jobs: jobs, notes: &notes)
        }
        let explanations = grounded.compactMap { $0.groundings?.explanations }
        return R.GroundingSummary(
            medianExplanations: explanations.isEmpty ? nil : Quantile.quantile(explanations, 0.5),
            withMultipleExplanations: multiple,
            fractionWithMultipleExplanations: R.Estimate(value: grounded.isEmpty ? nil : Double(multiple) / Double(grounded.count),
                                                         interval: multipleInterval, method: "clopper-pearson", units: grounded.count),
            meanFractionOfCircuitsWithMultipleGroundings: try mean(.meanFractionOfCircuitsWithMultipleGroundings, "mean fraction of circuits with several groundings"),
            meanExplanationEntropy: try mean(.meanExplanationEntropy, "mean explanation entropy"),
            meanCircuitEntropy: try mean(.meanCircuitEntropy, "mean circuit entropy"),
            sampledNetworks: grounded.filter { $0.groundings?.sampled == true }.count)
    }

    /// The value a per-network statistic (``IdentifiabilityStatistic/isPerNetwork``) takes on one
    /// converged network, as the claims against a null compare them.
    static func networkValue(_ statistic: IdentifiabilityStatistic, _ network: IdentifiabilityAuditResult.Network) -> Double? {
        guard network.converged else { return nil }
        switch statistic {
        case .meanPerfectCircuits: return network.perfectCircuits
        case .fractionWithMultiplePerfect: return network.perfectCircuits.map { $0 > 1 ? 1 : 0 }
        default: return groundingValue(statistic, network)
        }
    }

    /// The verdict on a claim against the null networks at one width
    /// (``IdentifiabilityVerdictRule/againstNull(trained:null:direction:alpha:test:)``); the
    /// permutation test's stream is `identifiability → w → null-test → <claim>`.
    func judgeAgainstNull(_ claim: IdentifiabilityClaimSpec, _ w: IdentifiabilityAuditResult.WidthResult) throws -> IdentifiabilityAuditResult.ClaimResult {
        let trained = w.networks.filter { $0.resample == nil }.compactMap { Self.networkValue(claim.statistic, $0) }
        let null = (w.nullNetworks ?? []).compactMap { Self.networkValue(claim.statistic, $0) }
        let test = try PermutationTest(resamples: spec.null?.resamples ?? 9999, seed: spec.seed,
                                       path: ["identifiability", .index(w.width), "null-test", .label(claim.name)], workers: 1)
        let outcome = try IdentifiabilityVerdictRule.againstNull(trained: trained, null: null, direction: claim.direction, alpha: spec.alpha, test: test)
        return IdentifiabilityAuditResult.ClaimResult(
            claim: claim.name, width: w.width, statistic: claim.statistic, comparison: claim.comparison, threshold: claim.threshold,
            expect: nil, estimate: trained.isEmpty ? nil : Descriptive.mean(trained), bounds: nil, verdict: outcome.verdict,
            holds: outcome.verdict == .supported, basis: .init(.againstNull, count: trained.count, of: null.count),
            nullEstimate: null.isEmpty ? nil : Descriptive.mean(null), pValue: outcome.pValue, oppositePValue: outcome.opposite)
    }

    /// The verdict on `claim` at one width, read from one-sided (1 − α) bounds.
    func judge(_ claim: IdentifiabilityClaimSpec, _ w: IdentifiabilityAuditResult.WidthResult) throws -> IdentifiabilityAuditResult.ClaimResult {
        if claim.against != nil { return try judgeAgainstNull(claim, w) }
        let alpha = spec.alpha
        let boundsLevel = 1 - 2 * alpha
        var estimate: Double?
        var bounds: ConfidenceInterval?
        var verdict = IdentifiabilityVerdict.inconclusive
        var basis = IdentifiabilityAuditResult.Basis(.noneConverged)
        switch claim.statistic {
        case .fractionWithMultiplePerfect, .convergedFraction, .fractionWithMultipleExplanations, .fractionWithMultipleMappedAlgorithms:
            let (k, n): (Int, Int)
            switch claim.statistic {
            case .convergedFraction: (k, n) = (w.converged, w.trained)
            case .fractionWithMultipleExplanations:
                (k, n) = (w.groundings?.withMultipleExplanations ?? 0, w.groundings?.fractionWithMultipleExplanations.units ?? 0)
            case .fractionWithMultipleMappedAlgorithms:
                (k, n) = (w.whatThenWhere?.withMultipleMappedAlgorithms ?? 0, w.whatThenWhere?.fractionWithMultipleMappedAlgorithms.units ?? 0)
            default: (k, n) = (w.withMultiplePerfect, w.converged)
            }
            estimate = n > 0 ? Double(k) / Double(n) : nil
            (verdict, bounds) = try IdentifiabilityVerdictRule.binomial(successes: k, trials: n, comparison: claim.comparison,
                                                                        threshold: claim.threshold, alpha: alpha)
            basis = n == 0 ? .init(.noneConverged) : .init(.counted, count: k, of: n)
        case .meanPerfectCircuits, .meanBestOverlap, .fractionOfPairsSharingACircuit, .meanResampleOverlap,
             .meanFractionOfCircuitsWithMultipleGroundings, .meanExplanationEntropy, .meanCircuitEntropy,
             .meanMappedAlgorithms, .meanMinimalMappings:
            let missing = IdentifiabilityAuditResult.Estimate(value: nil, interval: nil, method: "bca-bootstrap-over-seeds", units: 0)
            let stat: IdentifiabilityAuditResult.Estimate
            switch claim.statistic {
            case .meanPerfectCircuits: stat = w.meanPerfect
            case .meanBestOverlap: stat = w.meanBestOverlap
            case .fractionOfPairsSharingACircuit: stat = w.fractionOfPairsSharingACircuit
            case .meanFractionOfCircuitsWithMultipleGroundings: stat = w.groundings?.meanFractionOfCircuitsWithMultipleGroundings ?? missing
            case .meanExplanationEntropy: stat = w.groundings?.meanExplanationEntropy ?? missing
            case .meanCircuitEntropy: stat = w.groundings?.meanCircuitEntropy ?? missing
            case .meanMappedAlgorithms: stat = w.whatThenWhere?.meanMappedAlgorithms ?? missing
            case .meanMinimalMappings: stat = w.whatThenWhere?.meanMinimalMappings ?? missing
            case .meanResampleOverlap, .fractionWithMultiplePerfect, .convergedFraction, .fractionWithMultipleExplanations,
                 .fractionWithMultipleMappedAlgorithms:
                stat = w.meanResampleOverlap
            }
            estimate = stat.value
            let seeds = stat.units
            if seeds < IdentifiabilityVerdictRule.minimumBootstrapSeeds {
                basis = .init(.tooFewSeeds, count: seeds)
            } else {
                let boot: BootstrapResult
                let plan = try bootstrap(w.width, claim.statistic, jobs: 1)
                switch claim.statistic {
                case .meanPerfectCircuits:
                    boot = try plan.mean(w.networks.filter { $0.resample == nil }.compactMap(\.perfectCircuits))
                case .meanResampleOverlap:
                    let perSeed = Dictionary(grouping: w.resamplePairs, by: \.first).sorted { $0.key < $1.key }
                        .map { Descriptive.mean($0.value.map(\.best)) }
                    boot = try plan.mean(perSeed)
                case .meanFractionOfCircuitsWithMultipleGroundings, .meanExplanationEntropy, .meanCircuitEntropy:
                    boot = try plan.mean(w.networks.filter { $0.resample == nil }.compactMap { Self.groundingValue(claim.statistic, $0) })
                case .meanMappedAlgorithms, .meanMinimalMappings:
                    boot = try plan.mean(w.networks.filter { $0.resample == nil }.compactMap { Self.whatThenWhereValue(claim.statistic, $0) })
                case .meanBestOverlap, .fractionOfPairsSharingACircuit, .fractionWithMultiplePerfect, .convergedFraction,
                     .fractionWithMultipleExplanations, .fractionWithMultipleMappedAlgorithms:
                    boot = try SeedPairBootstrap(values: Self.pairMatrix(w, shares: claim.statistic == .fractionOfPairsSharingACircuit)).run(plan)
                }
                let ci = try boot.interval(.bca, level: boundsLevel)
                bounds = ci.isDetermined ? ci : nil
                verdict = IdentifiabilityVerdictRule.verdict(interval: bounds, comparison: claim.comparison, threshold: claim.threshold)
                basis = bounds == nil ? .init(.degenerate, count: seeds, diagnostic: boot.diagnostics.first ?? "undefined acceleration")
                    : .init(.seeds, count: seeds)
            }
        }
        let holds = verdict == .supported
        return IdentifiabilityAuditResult.ClaimResult(claim: claim.name, width: w.width, statistic: claim.statistic, comparison: claim.comparison,
                                                      threshold: claim.threshold, expect: claim.expect, estimate: estimate, bounds: bounds,
                                                      verdict: verdict, holds: holds, basis: basis)
    }

    /// The seed-pair matrix of best overlaps (or of sharing, 0/1), in the order of the converged
    /// seeds that were compared.
    static func pairMatrix(_ w: IdentifiabilityAuditResult.WidthResult, shares: Bool) -> [[Double]] {
        let seeds = Array(Set(w.seedPairs.flatMap { [$0.first, $0.second] })).sorted()
        let position = Dictionary(uniqueKeysWithValues: seeds.enumerated().map { ($1, $0) })
        var m = [[Double]](repeating: [Double](repeating: 0, count: seeds.count), count: seeds.count)
        for p in w.seedPairs {
            guard let a = position[p.first], let b = position[p.second] else { continue }
            let v = shares ? (p.sharesCircuit ? 1.0 : 0.0) : p.best
            m[a][b] = v; m[b][a] = v
        }
        return m
    }
}
