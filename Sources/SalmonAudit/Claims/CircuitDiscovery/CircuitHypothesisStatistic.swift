import SalmonMethods
import SalmonStatistics

/// Shi et al. 2024's circuit-hypothesis tests ("Hypothesis testing the circuit hypothesis in
/// LLMs", NeurIPS) as statistics of a `greedy-circuit` claim, each tested against its own
/// method-level null on the same trained network (``CircuitHypothesisTests`` computes them):
///
/// - `minimality` — the smallest accuracy drop over the circuit's components,
///   min_c acc(C) − acc(C ∖ c) (larger; −1, the smallest a drop can be, for an empty circuit: no
///   component matters). Null `inflated-circuits`: draw k adds a component r drawn uniformly from
///   outside C (method stream `→ "inflated-circuits" → k`) and is its drop acc(C ∪ r) − acc(C).
///   Since p = (1 + #{δ_r ≥ min_c δ_c})/(1 + B) equals the largest of the per-component Monte
///   Carlo p-values, the test is the intersection–union test of "every component matters more
///   than a chance one" (Berger 1982, *Technometrics* 24:295): no correction across components
///   (it rejects when every component's unadjusted test does — less strict than Shi et al.'s
///   Holm-corrected per-component tests, which ``CircuitHypothesisTests/minimality(draws:stream:)``
///   keeps). When C is the whole network there is no component to add; every draw is then 1, the
///   largest drop an accuracy allows, and p = 1.
///
/// These method-level nulls are conditional on the circuit the search selected, as Shi et al.'s
/// tests are on a given circuit: the search keeps exactly the components whose removal costs the
/// most and drops those that cost nothing, so against `inflated-circuits` and `random-circuits`
/// a discovered circuit wins on most networks, random ones included. Whether a trained network's
/// circuit passes the test better than a random network's would — the dead-salmon question — is
/// the model null's (random-init, …), against which every statistic here is also tested.
/// - `equivalence` — |k/m − ½| over the m rows where C alone and the full network differ in
///   correctness, k of them where C is right (smaller; 0 when m = 0). Null `equivalence-margin`:
///   draw k is |K/m − ½| with K ~ Bin(m, ½ + ε) (`→ "equivalence-margin" → k`), the least
///   favourable point of H₀: |P(C better) − ½| ≥ ε (``CircuitHypothesisTests/equivalenceDistance(better:differing:)``);
///   a small p supports equivalence. Shi et al. use the two one-sided exact binomial tests; this
///   is the same hypothesis tested by Monte Carlo with the symmetric statistic, so that it takes
///   the audit's p-values, correction and verdict rule.
/// - `complementDependence` — HSIC (Gaussian kernels, median bandwidths) of the full network's
///   per-row correctness with the network's with C knocked out (larger). Null
///   `permuted-complement`: the second permuted across rows (`→ "permuted-complement" → k`).
///   Polarity as in Shi et al.: *distinguishable* means the rest of the network still carries the
///   behaviour — evidence **against** the circuit hypothesis; a dead salmon is the hoped-for result.
///
/// Against model nulls (random-init, …) the same statistic is computed on each null network's
/// own circuit: do random networks' circuits pass the test as well as the trained one's?
enum CircuitHypothesisStatistic: String, CaseIterable, Sendable {
    case minimality, equivalence, complementDependence

    /// The method-level null the test is made of.
    var null: NullSpec.Family {
        switch self {
        case .minimality: .inflatedCircuits
        case .equivalence: .equivalenceMargin
        case .complementDependence: .permutedComplement
        }
    }

    var claimStatistic: ClaimStatistic {
        switch self {
        case .minimality:
            ClaimStatistic("minimality", direction: .larger, summary: "the smallest accuracy drop from removing one of the circuit's components (Shi et al.'s minimality)")
        case .equivalence:
            ClaimStatistic("equivalence", direction: .smaller, summary: "|k/m − ½|: how far the circuit is from outperforming the full network as often as it underperforms it (Shi et al.'s equivalence)")
        case .complementDependence:
            ClaimStatistic("complementDependence", direction: .larger, summary: "HSIC of the full network's correctness with the network's without the circuit (Shi et al.'s independence; larger: the rest still carries the task)")
        }
    }

    /// The statistic for `circuit` on `problem`, or its null draw when the context's stand-in is
    /// a unit of the test's own null family.
    /// - Throws: ``AuditError`` when the problem has fewer than 2 rows (HSIC is undefined).
    func value(circuit: Set<Int>, problem: GreedyCircuitSearch.Problem, margin: Double, context: ClaimContext) throws -> Double {
        let tests = try CircuitHypothesisTests(problem: problem, circuit: circuit)
        var draw: RandomStream?
        if case .null(let family, let k) = context.standIn, family == null.rawValue {
            draw = context.stream.derived(.label(null.rawValue), .index(k))
        }
        switch self {
        case .minimality:
            guard var s = draw else { return tests.componentDrops().min() ?? -1 }
            let outside = tests.complement.sorted()
            guard !outside.isEmpty else { return 1 }
            return tests.inflatedDrop(outside[s.index(below: outside.count)])
        case .equivalence:
            let (better, differing) = tests.equivalenceCounts()
            guard var s = draw else { return CircuitHypothesisTests.equivalenceDistance(better: better, differing: differing) }
            return CircuitHypothesisTests.equivalenceMarginDraw(differing: differing, margin: margin, stream: &s)
        case .complementDependence:
            let (full, complement) = tests.independenceScores()
            guard full.count >= 2 else {
                throw AuditError("\(context.unit): complementDependence needs at least 2 evaluation rows, found \(full.count)")
            }
            let hsic = CircuitHypothesisTests.HSIC(full, complement)
            guard var s = draw else { return hsic.value() }
            return hsic.value(permutedBy: &s)
        }
    }
}
