/// The Clopper–Pearson ("exact") confidence interval for a binomial proportion.
///
/// For k successes in n trials at level 1 − α: `[B(α/2; k, n − k + 1), B(1 − α/2; k + 1, n − k)]`
/// with B(q; a, b) the beta quantile, and the conventions lower = 0 at k = 0, upper = 1 at k = n
/// (Clopper & Pearson, Biometrika 26, 1934; statsmodels `proportion_confint(method="beta")`).
///
/// Mathematical properties: coverage is at least the nominal level for every true proportion
/// (it inverts two one-sided exact binomial tests), hence conservative.
public enum ClopperPearson {
    /// The interval for `successes` out of `trials`.
    /// - Throws: ``StatisticsError`` unless 0 ≤ successes ≤ trials, trials ≥ 1 and level ∈ (0, 1).
    public static func interval(successes k: Int, trials n: Int, level: Double = 0.95) throws -> ConfidenceInterval {
        guard n >= 1 else { throw StatisticsError("trials", expected: "at least 1, found \(n)") }
        guard k >= 0 && k <= n else { throw StatisticsError("successes", expected: "a count in 0...\(n), found \(k)") }
        try StatisticsError.requireLevel(level)
        let alpha = 1 - level
        let lower = k == 0 ? 0 : BetaDistribution.quantile(alpha / 2, a: Double(k), b: Double(n - k + 1))
        let upper = k == n ? 1 : BetaDistribution.quantile(1 - alpha / 2, a: Double(k + 1), b: Double(n - k))
        return ConfidenceInterval(lower: lower, upper: upper, level: level)
    }
}
