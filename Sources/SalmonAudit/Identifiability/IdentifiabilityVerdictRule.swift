import SalmonStatistics

/// The verdict on one identifiability claim at one width.
public enum IdentifiabilityVerdict: String, Sendable, Codable, CaseIterable {
    /// The whole one-sided confidence region lies on the claimed side of the threshold.
    case supported
    /// The whole one-sided confidence region lies on the other side.
    case contradicted
    /// The interval straddles the threshold (too few networks to tell), or there is none.
    case inconclusive
}

/// How an identifiability claim is judged: by where the threshold lies relative to the
/// statistic's confidence bounds.
///
/// For a claim "θ ≤ x" (`atMost`) with one-sided (1 − α) confidence bounds L and U — the two ends of
/// the two-sided interval at level 1 − 2α:
/// - **supported** when U < x: this rejects H₀: θ ≥ x at level α;
/// - **contradicted** when L > x: this rejects θ ≤ x at level α;
/// - **inconclusive** otherwise (including U = x or L = x): more networks could decide it.
/// "θ ≥ x" (`atLeast`) mirrors it (supported when L > x). A claim holds only when supported, so an
/// inconclusive claim fails the gate: an identifiability claim needs evidence, not the absence of it.
///
/// The bounds:
/// - fractions of independent networks (``IdentifiabilityStatistic/fractionWithMultiplePerfect``,
///   ``IdentifiabilityStatistic/convergedFraction``): Clopper–Pearson (Clopper & Pearson 1934),
///   exact for every n, so the error rate is at most α for any number of seeds. Example: "XOR at
///   width 3 is identifiable at tolerance 0.05" needs U < 0.05, which with no network having two
///   perfect circuits takes n ≥ 59 converged seeds at α = 0.05 (0.95⁵⁹ < 0.05); "not identifiable"
///   with every network having several takes n ≥ 2 (L = α^(1/n) > 0.05).
/// - means and pair statistics: BCa bootstrap over seeds (Efron & Tibshirani 1993), whose coverage
///   is only approximate, so these claims are inconclusive with fewer than
///   ``minimumBootstrapSeeds`` converged seeds. Pair statistics (overlap between two seeds'
///   circuits) are U-statistics over seeds: the bootstrap resamples seeds and averages over pairs
///   of distinct original seeds in the resample, never over pairs, which are not independent.
///
/// Several claims (and widths) are not corrected for multiplicity, because the gate passes only
/// when *every* claim is supported: an intersection–union test, of level α for the conjunction
/// whatever the number of claims (Berger, Technometrics 24, 1982). Each claim's own verdict has
/// error rate at most α (exactly for the Clopper–Pearson claims, approximately for the bootstrap).
public enum IdentifiabilityVerdictRule {
    /// Bootstrap-based claims need at least this many converged seeds to be decided.
    public static let minimumBootstrapSeeds = 10

    /// The verdict for bounds `interval` (one-sided (1 − α) bounds as its two ends).
    /// - Returns: inconclusive when the interval is absent or has a NaN end.
    public static func verdict(interval: ConfidenceInterval?, comparison: IdentifiabilityClaimSpec.Comparison,
                               threshold: Double) -> IdentifiabilityVerdict {
        guard let interval, !interval.lower.isNaN, !interval.upper.isNaN else { return .inconclusive }
        switch comparison {
        case .atMost:
            if interval.upper < threshold { return .supported }
            if interval.lower > threshold { return .contradicted }
        case .atLeast:
            if interval.lower > threshold { return .supported }
            if interval.upper < threshold { return .contradicted }
        }
        return .inconclusive
    }

    /// The verdict for `successes` of `trials` independent networks, with the Clopper–Pearson
    /// interval at level 1 − 2α that it was read from (nil when there are no trials).
    public static func binomial(successes: Int, trials: Int, comparison: IdentifiabilityClaimSpec.Comparison, threshold: Double,
                                alpha: Double) throws -> (IdentifiabilityVerdict, ConfidenceInterval?) {
        guard trials > 0 else { return (.inconclusive, nil) }
        let interval = try ClopperPearson.interval(successes: successes, trials: trials, level: 1 - 2 * alpha)
        return (verdict(interval: interval, comparison: comparison, threshold: threshold), interval)
    }

    /// The verdict on a claim against a null: the trained networks' per-network values against the
    /// null networks', by two one-sided two-sample permutation tests of the difference in means
    /// (``PermutationTest``, exact when the arrangements fit in `test.resamples`, else Monte Carlo
    /// with p = (1 + b)/(1 + B)). **Supported** when the claimed direction's p ≤ α, **contradicted**
    /// when the opposite direction's p ≤ α, **inconclusive** otherwise (or with fewer than 2
    /// networks in a group). Each verdict errs with probability at most α when trained and null
    /// values are exchangeable (the permutation test's exact size; Monte Carlo p-values of this
    /// form keep it, Phipson & Smyth 2010); the two cannot both hold, since the two p-values sum
    /// to more than 1.
    ///
    /// - Returns: the verdict, the claimed and the opposite p-value (nil without a test), and the
    ///   difference of the means (trained − null; nil with an empty group).
    public static func againstNull(trained: [Double], null: [Double], direction: Alternative, alpha: Double,
                                   test: PermutationTest) throws -> (verdict: IdentifiabilityVerdict, pValue: Double?, opposite: Double?, difference: Double?) {
        let difference = trained.isEmpty || null.isEmpty ? nil : Descriptive.mean(trained) - Descriptive.mean(null)
        guard trained.count >= 2, null.count >= 2 else { return (.inconclusive, nil, nil, difference) }
        let claimed = try test.independent(trained, null, alternative: direction).pValue
        let other = try test.independent(trained, null, alternative: direction == .greater ? .less : .greater).pValue
        let verdict: IdentifiabilityVerdict = claimed <= alpha ? .supported : other <= alpha ? .contradicted : .inconclusive
        return (verdict, claimed, other, difference)
    }

    /// A level as a percentage without binary noise (`0.95` → `95 %`, `0.975` → `97.5 %`).
    public static func percent(_ level: Double) -> String {
        let p = (level * 100 * 1e6).rounded() / 1e6   // 0.95 · 100 is 94.99999999999999 in binary
        return p == p.rounded() ? "\(Int(p)) %" : "\(p) %"
    }
}
