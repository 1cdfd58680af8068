import Foundation
import SalmonAudit
import SalmonStatistics

/// What an identifiability audit's result says in words: the verdict rule and each claim's
/// one-line message. The result stores the facts (estimate, bounds, verdict,
/// ``IdentifiabilityAuditResult/Basis``); every sentence is composed here, for the audit's
/// Markdown, CSV and JUnit, the identifiability study's report and the CLI's summary lines.
public enum IdentifiabilityProse {
    /// The rule in one paragraph, as every report states it (``IdentifiabilityVerdictRule``).
    /// - Parameter alpha: the audit's α.
    public static func verdictRule(alpha: Double) -> String {
        let percent = IdentifiabilityVerdictRule.percent
        return "A claim \"θ ≤ x\" is supported when the upper one-sided \(percent(1 - alpha)) confidence bound of θ is below x, "
            + "contradicted when the lower bound is above x, and inconclusive otherwise (\"θ ≥ x\" mirrors it); it holds only when supported. "
            + "The bounds are the ends of the two-sided \(percent(1 - 2 * alpha)) interval: Clopper–Pearson for fractions of networks (exact), "
            + "BCa bootstrap over seeds for means and for pair statistics (seeds resampled, pairs of distinct seeds averaged), "
            + "the latter only with at least \(IdentifiabilityVerdictRule.minimumBootstrapSeeds) converged seeds. "
            + "\"Identifiable at tolerance τ\" is the claim that the fraction of converged networks with more than one perfect circuit is at most τ; "
            + "\"not identifiable\" that it is at least τ. A claim against null networks (trained on the gate's labels permuted across its inputs) "
            + "is supported when a one-sided two-sample permutation test of the difference in means over networks rejects at α in the claimed "
            + "direction, contradicted when it rejects in the other. Each verdict errs with probability at most α = \(alpha.description); "
            + "the gate requires every claim, an intersection–union test of level α without correction (Berger 1982)."
    }

    /// One claim at one width in one line: the claim, the numbers, the verdict and why.
    /// - Parameters:
    ///   - claim: the claim's result at a width.
    ///   - alpha: the audit's α (the bounds are one-sided at 1 − α).
    public static func message(_ claim: IdentifiabilityAuditResult.ClaimResult, alpha: Double) -> String {
        let side = claim.comparison == .atMost ? "≤" : "≥"
        if claim.basis.kind == .againstNull {
            let relation = claim.comparison == .atLeast ? "greater" : "less"
            let numbers = "\(claim.statistic.rawValue) = \(claim.estimate.map(number) ?? "—") on the trained networks, \(claim.nullEstimate.map(number) ?? "—") on the permuted-labels networks"
                + (claim.pValue.map { "; one-sided permutation p = \(number($0))" } ?? "")
                + (claim.oppositePValue.map { " (the other direction: \(number($0)))" } ?? "")
            return "\(claim.claim) at width \(claim.width): \(claim.statistic.rawValue) \(relation) than on permuted-labels networks is \(claim.verdict.rawValue): \(numbers); \(why(claim))"
        }
        let subject: String
        switch claim.expect {
        case .identifiable?: subject = "identifiable at tolerance \(number(claim.threshold))"
        case .notIdentifiable?: subject = "not identifiable at tolerance \(number(claim.threshold))"
        case nil: subject = "\(claim.statistic.rawValue) \(side) \(number(claim.threshold))"
        }
        let numbers = "\(claim.statistic.rawValue) = \(claim.estimate.map(number) ?? "—")"
            + (claim.bounds.map { " [\(number($0.lower)), \(number($0.upper))] (one-sided \(IdentifiabilityVerdictRule.percent(1 - alpha)) bounds)" } ?? "")
        return "\(claim.claim) at width \(claim.width): \(subject) is \(claim.verdict.rawValue): \(numbers); \(why(claim))"
    }

    /// Why the verdict is what it is: the counts or seeds it rests on, or why there are no bounds.
    static func why(_ claim: IdentifiabilityAuditResult.ClaimResult) -> String {
        let b = claim.basis
        let units: String
        switch claim.statistic {
        case .meanPerfectCircuits, .meanExplanationEntropy, .meanCircuitEntropy, .meanMappedAlgorithms, .meanMinimalMappings:
            units = "converged seeds"
        case .meanFractionOfCircuitsWithMultipleGroundings: units = "converged seeds with a perfect circuit"
        case .fractionWithMultipleExplanations, .fractionWithMultipleMappedAlgorithms: units = "converged networks"
        case .meanResampleOverlap: units = "seeds with resampled networks to compare"
        case .meanBestOverlap, .fractionOfPairsSharingACircuit, .fractionWithMultiplePerfect, .convergedFraction:
            units = "converged seeds with circuits to compare"
        }
        switch b.kind {
        case .againstNull:
            let counts = "\(b.count) trained and \(b.of ?? 0) null networks converged"
            return claim.pValue == nil ? counts + "; the test needs at least 2 in each group" : counts
        case .noneConverged: return "no network converged"
        case .counted:
            let what: String
            switch claim.statistic {
            case .convergedFraction: what = "networks converged"
            case .fractionWithMultipleExplanations: what = "converged networks have more than one explanation (perfect circuit and grounding)"
            case .fractionWithMultipleMappedAlgorithms: what = "converged networks have more than one candidate formula with a minimal mapping"
            default: what = "converged networks have more than one perfect circuit"
            }
            return "\(b.count) of \(b.of ?? 0) \(what)"
        case .tooFewSeeds:
            return "\(b.count) \(units); a bootstrap verdict needs at least \(IdentifiabilityVerdictRule.minimumBootstrapSeeds)"
        case .degenerate: return "the bootstrap is degenerate (\(b.diagnostic ?? "undefined acceleration"))"
        case .seeds: return "\(b.count) \(units)"
        }
    }

    /// Numbers in prose (``MessageNumber``).
    static func number(_ x: Double) -> String { MessageNumber.format(x) }
}
