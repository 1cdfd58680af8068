import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// Circuit discovery (``GreedyCircuitSearch``, ACDC-style greedy pruning) as claims: "this
/// behaviour runs through a small circuit", "the circuit found is better than a random one of the
/// same size", "restarts find the same circuit". The search reads the whole network — components
/// are an MLP's hidden units or a transformer's attention heads and MLP blocks, judged by accuracy
/// on the subject's evaluation rows (for a transformer, the clean answers of its held-out pairs at
/// the last position) — so a site names only the stage at which the site-dependent null families
/// randomize the network (``SiteRole/randomizationStage``).
///
/// Statistics of restart 0's circuit (restart r visits components in an order shuffled from the
/// claim's method stream, the same for every model):
/// - `circuitFraction`: components kept / components (smaller: a sparser circuit);
/// - `faithfulness`: the circuit's accuracy / the full network's (larger). Against the method-level
///   null `random-circuits` (``estimatorNulls``) null draw k is, on trained network k mod K_t, the
///   faithfulness of a circuit of the same size as the one the search finds there, its components
///   drawn uniformly at random (from the method stream `→ "random-circuits" → k`): Shi et al.
///   2024's sufficiency test against random circuits of the same size, with the Monte Carlo
///   p-value (1 + b)/(1 + B) and the audit's correction across tests;
/// - `restartAgreement`: the mean Jaccard overlap of the circuits of every pair of restarts
///   (larger: the search's answer does not depend on its order; `restarts` ≥ 2);
/// - `overlapWithTrained`: the Jaccard overlap of the model's circuit with **trained network 0's**,
///   maximized over relabelings of the hidden units within each layer, or of the heads within each
///   block (``GreedyCircuitSearch/Problem/alignedOverlap(_:_:)``; `align: false` for the plain
///   overlap) — larger: the circuit is the one training finds. The anchor scheme of
///   `edge-attribution-circuit`'s statistic of the same name (below).
/// - Shi et al. 2024's circuit-hypothesis tests of restart 0's circuit C
///   (``CircuitHypothesisStatistic``), each with its method-level null: `minimality`, the smallest
///   accuracy drop min_c acc(C) − acc(C ∖ c) over C's components (larger), against
///   `inflated-circuits`; `equivalence`, |k/m − ½| over the m rows where C alone and the full
///   network differ, k of them C's (smaller), against `equivalence-margin` (parameter `margin`, ε);
///   `complementDependence`, the HSIC of the full network's per-row correctness with the
///   network's with C knocked out (larger: the rest of the network still carries the
///   behaviour), against `permuted-complement`.
/// None is resampled over rows (the search would be re-run on each resample); the interval is
/// omitted with that reason.
///
/// A model with accuracy 0 on the evaluation rows (a random network may get none of a few rows
/// right) has no behaviour there for a circuit to keep: its circuit is empty by convention —
/// faithfulness 1, circuitFraction 0, restartAgreement 1 — and the report says how many such
/// models there were.
///
/// `edge-attribution-circuit` (transformers; ``EdgeCircuitDiscovery``, Syed et al. 2023): a
/// circuit of residual-graph edges, ranked by |EAP score| on the subject's clean/corrupted pairs
/// and cut at `edges` or at the faithfulness `threshold`, evaluated exactly (the clean run with
/// the edges outside the circuit reading the corrupted run). Statistics:
/// - `faithfulness`: (LD̄_circuit − LD̄_corrupt)/(LD̄_clean − LD̄_corrupt) (larger); against
///   `random-circuits`, random edge sets of the circuit's size on the same network;
/// - `circuitFraction`: edges kept / edges (smaller);
/// - `overlapWithTrained`: the Jaccard overlap of the model's circuit with **trained network 0's**,
///   maximized over relabelings of the heads within each block (``EdgeCircuitOverlap``;
///   `align: false` for the plain overlap) — larger: the circuit is the one training finds,
///   not an accident of the seed. Trained networks 1 … K_t − 1 give the estimate (K_t ≥ 2) and
///   every null draw averages K_t − 1 null models, each compared with network 0 (the anchor
///   scheme of attribution's `similarityToTrained`).
/// None is resampled over pairs (the search is not re-run on resamples).
public struct CircuitDiscoveryFamily: ClaimFamily {
    public init() {}

    public var name: String { "circuit-discovery" }
    public var methods: [String] { ["greedy-circuit", "edge-attribution-circuit"] }
    public var siteRole: SiteRole { .randomizationStage }

    public func decodeParameters(method: String, from decoder: any Decoder) throws -> any MethodParameters {
        method == "edge-attribution-circuit" ? try EdgeCircuitParameters(from: decoder) : try GreedyCircuitParameters(from: decoder)
    }

    public func statistics(of method: String) -> [ClaimStatistic] {
        if method == "edge-attribution-circuit" {
            return [ClaimStatistic("faithfulness", direction: .larger, summary: "(LD_circuit − LD_corrupt)/(LD_clean − LD_corrupt): the logit difference the circuit's edges keep"),
                    ClaimStatistic("circuitFraction", direction: .smaller, summary: "the fraction of the residual graph's edges the circuit keeps"),
                    ClaimStatistic("overlapWithTrained", direction: .larger, reference: .trainedNetworkZero,
                                   summary: "the Jaccard overlap of the circuit with trained network 0's, up to relabeled heads")]
        }
        return [ClaimStatistic("faithfulness", direction: .larger, summary: "the circuit's accuracy over the full network's"),
         ClaimStatistic("circuitFraction", direction: .smaller, summary: "the fraction of components the circuit keeps"),
         ClaimStatistic("restartAgreement", direction: .larger, summary: "the mean Jaccard overlap of the circuits found by different restarts"),
         ClaimStatistic("overlapWithTrained", direction: .larger, reference: .trainedNetworkZero,
                        summary: "the Jaccard overlap of the circuit with trained network 0's, up to relabeled units or heads")]
            + CircuitHypothesisStatistic.allCases.map(\.claimStatistic)
    }

    public func requirements(of claim: ClaimSpec) -> Set<ClaimRequirement> {
        var needs: Set<ClaimRequirement> = claim.method.name == "edge-attribution-circuit" ? [.counterfactualPairs] : [.circuitComponents]
        if claim.statistic == "overlapWithTrained" { needs.insert(.trainedSeeds(atLeast: 2)) }
        return needs
    }

    public var estimatorNulls: Set<String> {
        Set([NullSpec.Family.randomCircuits.rawValue] + CircuitHypothesisStatistic.allCases.map(\.null.rawValue))
    }

    /// `random-circuits` replaces the found circuit by random ones of its size: it tests
    /// faithfulness only; each of Shi et al.'s other tests has its own null.
    public func estimatorNulls(of claim: ClaimSpec) -> Set<String> {
        if claim.statistic == "faithfulness" { return [NullSpec.Family.randomCircuits.rawValue] }
        if let test = CircuitHypothesisStatistic(rawValue: claim.statistic) { return [test.null.rawValue] }
        return []
    }

    public func isRandom(_ claim: ClaimSpec) -> Bool { true }

    public func notes(diagnostics: [String: Double]) -> [String] {
        guard let zero = diagnostics["circuit.zeroAccuracy"], zero > 0 else { return [] }
        return ["\(Int(zero)) circuit searches met a model with accuracy 0 on the evaluation rows; its circuit is empty by convention (faithfulness 1, circuitFraction 0)"]
    }

    public func validate(_ claim: ClaimSpec, in spec: AuditSpec, field: String) throws {
        if claim.target != "label" {
            throw SpecError(field: field + ".target", "\(claim.method.name) judges circuits by the task's own answers; remove 'target'")
        }
        if claim.controlTypes != nil {
            throw SpecError(field: field + ".controlTypes", "control types apply to probes, not to circuit discovery")
        }
        try validateNulls(claim, in: spec, field: field)
        if claim.method.name == "edge-attribution-circuit" && spec.model.task != nil && spec.model.transformer == nil {
            throw SpecError(field: field + ".method", "edge-attribution-circuit finds a circuit of a transformer's residual-graph edges; on an MLP use greedy-circuit (its hidden units)")
        }
        if claim.method.name == "edge-attribution-circuit" {
            let p = try claim.method.parameters(as: EdgeCircuitParameters.self)
            if let edges = p.edges, edges < 1 {
                throw SpecError(field: field + ".method.edges", "expected at least 1 edge, found \(edges)")
            }
            if let threshold = p.threshold, !(threshold > 0 && threshold <= 1) {
                throw SpecError(field: field + ".method.threshold", "expected a faithfulness threshold in (0, 1], found \(threshold)")
            }
            if p.edges != nil && p.threshold != nil {
                throw SpecError(field: field + ".method.edges", "give the circuit's size as 'edges' or as 'threshold', not both")
            }
            return
        }
        let p = try claim.method.parameters(as: GreedyCircuitParameters.self)
        guard p.threshold > 0 && p.threshold <= 1 else {
            throw SpecError(field: field + ".method.threshold", "expected a faithfulness threshold in (0, 1], found \(p.threshold)")
        }
        guard p.equivalenceMargin > 0 && p.equivalenceMargin < 0.5 else {
            throw SpecError(field: field + ".method.margin", "expected an equivalence margin ε in (0, ½), found \(p.equivalenceMargin)")
        }
        guard (1...100).contains(p.restarts) else { throw SpecError(field: field + ".method.restarts", "expected 1 … 100 restarts, found \(p.restarts)") }
        if claim.statistic == "restartAgreement" && p.restarts < 2 {
            throw SpecError(field: field + ".method.restarts", "restartAgreement compares restarts; expected at least 2, found \(p.restarts)")
        }
    }

    private func validateNulls(_ claim: ClaimSpec, in spec: AuditSpec, field: String) throws {
        if claim.statistic == "overlapWithTrained" {
            // A null network that keeps part of a trained network's weights would share structure
            // with the anchor (network 0) or with the network it was made from.
            let redrawn: Set<String> = [NullSpec.Family.randomInit, .permutedLabels, .momentRedraw, .momentRedrawExceptEmbeddings].map(\.rawValue).reduce(into: []) { $0.insert($1) }
            if let i = spec.nulls.firstIndex(where: { !redrawn.contains($0.family) && !(NullSpec.Family(rawValue: $0.family)?.isEstimatorLevel ?? false) }) {
                throw SpecError(field: "nulls[\(i)].family", "overlapWithTrained compares each model's circuit with trained network 0's, and '\(spec.nulls[i].family)' keeps part of a trained network's weights; audit it against random-init, permuted-labels or moment-redraw")
            }
        }
        if let i = spec.nulls.firstIndex(where: { $0.family == NullSpec.Family.gaussianActivations.rawValue }) {
            throw SpecError(field: "nulls[\(i)].family", "'gaussian-activations' redraws activations, but the circuit-discovery claim \(claim.name) runs the network itself; audit it against random-circuits or model nulls")
        }
        let own = estimatorNulls(of: claim)
        if !spec.nulls.contains(where: { !(NullSpec.Family(rawValue: $0.family)?.isEstimatorLevel ?? false) || own.contains($0.family) }) {
            let offered = own.isEmpty ? "" : "'\(own.sorted().joined(separator: "', '"))' or "
            // What the spec's method-level nulls test instead.
            let tested = [NullSpec.Family.randomCircuits.rawValue: "faithfulness"].merging(
                CircuitHypothesisStatistic.allCases.map { ($0.null.rawValue, $0.rawValue) }) { a, _ in a }
            let others = spec.nulls.compactMap { n in tested[n.family].map { "; '\(n.family)' tests \($0) only" } }.joined()
            throw SpecError(field: field + ".statistic", "\(claim.statistic) is tested against \(offered)a model null (random-init, moment-redraw, …), and this spec has none" + others)
        }
    }

    public func evaluator(for claim: ClaimSpec, subject: any AuditSubject, seed: UInt64) throws -> any ClaimEvaluator {
        if claim.method.name == "edge-attribution-circuit" {
            return EdgeCircuitEvaluator(claim: claim.name, parameters: try claim.method.parameters(as: EdgeCircuitParameters.self))
        }
        return GreedyCircuitEvaluator(claim: claim.name, parameters: try claim.method.parameters(as: GreedyCircuitParameters.self))
    }
}

/// The parameters of `greedy-circuit`.
public struct GreedyCircuitParameters: MethodParameters, Equatable, Codable {
    /// The search keeps removing components while faithfulness stays at or above this.
    public var threshold: Double = 0.9
    /// How a removed component is replaced.
    public var ablation: GreedyCircuitSearch.Ablation = .zero
    /// Searches in differently shuffled orders.
    public var restarts: Int = 1
    /// `overlapWithTrained`: compare circuits up to relabeled hidden units (per layer) or heads
    /// (per block); false for the plain overlap.
    public var align: Bool = true
    /// `equivalence`: the margin ε of Shi et al.'s equivalence test (H₀: |P(circuit better) − ½| ≥ ε);
    /// nil for the default 0.1 (absent from the spec's encoding, so specs written before it keep their hash).
    public var margin: Double?
    /// ε: `margin` or its default.
    public var equivalenceMargin: Double { margin ?? 0.1 }

    enum CodingKeys: String, CodingKey, CaseIterable { case threshold, ablation, restarts, align, margin }

    public init() {}

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(["name"] + CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        threshold = try c.decodeIfPresent(Double.self, forKey: .threshold) ?? threshold
        restarts = try c.decodeIfPresent(Int.self, forKey: .restarts) ?? restarts
        align = try c.decodeIfPresent(Bool.self, forKey: .align) ?? align
        margin = try c.decodeIfPresent(Double.self, forKey: .margin)
        if let raw = try c.decodeIfPresent(String.self, forKey: .ablation) {
            guard let value = GreedyCircuitSearch.Ablation(rawValue: raw) else {
                throw SpecError(field: SpecError.path(decoder.codingPath) + ".ablation",
                                "expected \(GreedyCircuitSearch.Ablation.allCases.map(\.rawValue).joined(separator: ", ")), found '\(raw)'")
            }
            ablation = value
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(ablation.rawValue, forKey: .ablation)
        try c.encode(restarts, forKey: .restarts)
        try c.encode(align, forKey: .align)
        try c.encodeIfPresent(margin, forKey: .margin)
    }
}

/// `greedy-circuit` on one unit (the site names its randomization stage).
struct GreedyCircuitEvaluator: ClaimEvaluator {
    let claim: String
    let parameters: GreedyCircuitParameters
    /// Trained network 0's circuit (restart 0's kept components) and its problem, per site:
    /// `overlapWithTrained`'s anchor, shared by every unit.
    let anchors = MemoTable<String, Anchor>()
    /// The search on each trained network, per site, shared by every unit that runs on it — the
    /// trained unit and the null units of families that keep the trained network (`random-circuits`,
    /// `inflated-circuits`, …), whose K draws vary what is compared with the circuit, not the
    /// circuit: one search per trained network and method stream instead of one per null draw. The
    /// search is a pure function of the network and the claim's method stream (which seeds it and
    /// the problem's resampling; keyed by the stream, so `resampling.methodSeeds` runs search
    /// apart), so the values are those of searching again.
    let trainedSearches = MemoTable<String, GreedyCircuitSearch.Result>()

    struct Anchor: Sendable {
        var kept: Set<Int>
        var components: [String]
    }

    /// The trained network a unit's search runs on, when it runs on one: trained network s for a
    /// trained unit, k mod K_t for null k of a family that keeps the trained network; nil for a
    /// null network.
    static func trainedNetwork(_ context: ClaimContext) -> Int? {
        switch context.standIn {
        case .trained(let s): return s
        case .null(let name, let k):
            guard NullSpec.Family(rawValue: name)?.keepsTrainedNetwork == true else { return nil }
            return k % max(context.subject.trainedSeeds, 1)
        }
    }

    /// Restart 0's kept components on `problem` (empty when the network answers nothing right).
    func circuit(_ problem: GreedyCircuitSearch.Problem, stream: RandomStream, unit: AuditUnit) throws -> Set<Int> {
        if problem.accuracy([]) == 0 { return [] }
        let search = GreedyCircuitSearch(threshold: parameters.threshold, restarts: parameters.restarts, seed: stream.derived("greedy-circuit").seed)
        do { return Set(try search.run(problem).circuits.first?.kept ?? []) } catch let e as MethodError {
            throw AuditError("\(unit), claim \(claim): \(e.message)")
        }
    }

    func evaluate(_ context: ClaimContext, statistics: [String]) throws -> ClaimEvaluation? {
        if case .trained(0) = context.unit, statistics == ["overlapWithTrained"] { return nil }
        let problem = try context.memo.value("circuit.problem|\(parameters.ablation.rawValue)|\(context.stream.key)|\(context.networkKey(base: 0))") {
            try context.subject.circuitProblem(context.unit, site: context.site, ablation: parameters.ablation, stream: context.stream.derived("resample"))
        }
        if statistics == ["overlapWithTrained"] {
            let anchor = try anchors.value(context.site) {
                let zero = try context.subject.circuitProblem(.trained(seed: 0), site: context.site, ablation: parameters.ablation,
                                                              stream: context.stream.derived("resample"))
                return Anchor(kept: try circuit(zero, stream: context.stream, unit: .trained(seed: 0)), components: zero.components)
            }
            guard anchor.components == problem.components else {
                throw AuditError("\(context.unit), claim \(claim): its components differ from trained network 0's")
            }
            let kept = try circuit(problem, stream: context.stream, unit: context.unit)
            let value: Double
            if parameters.align {
                guard let aligned = problem.alignedOverlap(anchor.kept, kept) else {
                    throw AuditError("claim \(claim): these components have no declared relabeling symmetry; set align: false")
                }
                value = aligned
            } else {
                value = anchor.kept.isEmpty && kept.isEmpty ? 1 : Double(anchor.kept.intersection(kept).count) / Double(anchor.kept.union(kept).count)
            }
            return ClaimEvaluation(measurements: ["overlapWithTrained": ClaimMeasurement(value: value, resampling: .none(reason: "the circuit search is not re-run on resampled rows"))])
        }
        if problem.accuracy([]) == 0 {
            // Nothing to explain: the empty circuit keeps all of the network's (zero) correct answers.
            var measurements: [String: ClaimMeasurement] = [:]
            for name in statistics {
                if let test = CircuitHypothesisStatistic(rawValue: name) {
                    let value = try test.value(circuit: [], problem: problem, margin: parameters.equivalenceMargin, context: context)
                    measurements[name] = ClaimMeasurement(value: value, resampling: .none(reason: "the circuit search is not re-run on resampled rows"))
                    continue
                }
                guard let value = ["faithfulness": 1.0, "circuitFraction": 0.0, "restartAgreement": 1.0][name] else {
                    throw AuditError("greedy-circuit has no statistic '\(name)'")
                }
                measurements[name] = ClaimMeasurement(value: value, resampling: .none(reason: "the circuit search is not re-run on resampled rows"))
            }
            return ClaimEvaluation(measurements: measurements, diagnostics: ["circuit.zeroAccuracy": 1])
        }
        let search = GreedyCircuitSearch(threshold: parameters.threshold, restarts: parameters.restarts,
                                         seed: context.stream.derived("greedy-circuit").seed)
        let result: GreedyCircuitSearch.Result
        do {
            if let base = Self.trainedNetwork(context) {
                // The method stream (its key differs between resampling.methodSeeds runs) seeds the search.
                result = try trainedSearches.value("\(base)|\(context.stream.key)|\(context.site)") { try search.run(problem) }
            } else {
                result = try search.run(problem)
            }
        } catch let e as MethodError {
            throw AuditError("\(context.unit), claim \(claim): \(e.message)")
        }
        guard let found = result.circuits.first else { throw AuditError("\(context.unit), claim \(claim): the search returned no circuit") }
        let components = result.components.count
        var measurements: [String: ClaimMeasurement] = [:]
        let reason = ClaimResampling.none(reason: "the circuit search is not re-run on resampled rows")
        for name in statistics {
            let value: Double
            switch name {
            case "faithfulness":
                if let kept = context.randomCircuit(size: found.kept.count, of: components) {
                    // A circuit of the found one's size, its components drawn at random.
                    value = problem.accuracy(Set(0..<components).subtracting(kept)) / result.fullAccuracy
                } else {
                    value = found.faithfulness
                }
            case "circuitFraction": value = Double(found.kept.count) / Double(max(components, 1))
            case "restartAgreement":
                guard let agreement = result.meanJaccard else { throw AuditError("claim \(claim): restartAgreement needs at least 2 restarts") }
                value = agreement
            default:
                guard let test = CircuitHypothesisStatistic(rawValue: name) else { throw AuditError("greedy-circuit has no statistic '\(name)'") }
                value = try test.value(circuit: Set(found.kept), problem: problem, margin: parameters.equivalenceMargin, context: context)
            }
            measurements[name] = ClaimMeasurement(value: value, resampling: reason)
        }
        return ClaimEvaluation(measurements: measurements, diagnostics: ["circuit.evaluations": Double(found.evaluations)])
    }
}

extension ClaimContext {
    /// Under the method-level null `random-circuits`, null draw k's circuit: `size` of the `count`
    /// components (or edges) drawn uniformly from the method stream `→ "random-circuits" → k`, the
    /// same draw on every model (Shi et al. 2024's sufficiency null); nil for any other unit.
    func randomCircuit(size: Int, of count: Int) -> [Int]? {
        guard case .null(let family, let k) = standIn, family == NullSpec.Family.randomCircuits.rawValue else { return nil }
        var draw = stream.derived("random-circuits", .index(k))
        return draw.subset(of: count, count: size)
    }
}
