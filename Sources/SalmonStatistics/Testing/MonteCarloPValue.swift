/// A p-value from comparing an observed statistic with draws from its null distribution, with
/// the Monte Carlo uncertainty of the p-value itself.
public struct MonteCarloPValue: Sendable, Codable, Equatable {
    /// The alternative tested.
    public var alternative: Alternative
    /// The observed statistic.
    public var observed: Double
    /// b: null draws at least as extreme as the observed value (for two-sided: in the smaller tail).
    public var extremeCount: Int
    /// B: the number of null draws (or arrangements, for an exact test).
    public var nullCount: Int
    /// The p-value.
    public var pValue: Double
    /// Whether the p-value is exact (complete enumeration) rather than Monte Carlo.
    public var isExact: Bool
    /// A Clopper–Pearson interval for the tail probability the p-value estimates (doubled and
    /// capped at 1 for two-sided tests); `[p, p]` for an exact test.
    public var interval: ConfidenceInterval
}

/// Tests an observed statistic against a sample from its null distribution.
///
/// With b of the B null values at least as extreme as the observed one,
/// `p = (1 + b) / (1 + B)` (Phipson & Smyth, "Permutation p-values should never be zero",
/// SAGMB 9(1), 2010; Davison & Hinkley 1997, eq. 4.11). For two-sided tests
/// `p = min(1, 2 · min(p_less, p_greater))`.
///
/// Mathematical properties: when the observed statistic and the B null draws are exchangeable
/// under the null, P(p ≤ α) ≤ α for every α, with equality when α(B + 1) is an integer and there
/// are no ties: the test is exact, not asymptotic. Ties count as extreme (≥ for `greater`, ≤ for
/// `less`), which keeps it valid. The p-value is never 0.
public enum MonteCarloTest {
    /// The p-value of `observed` against `null` draws.
    /// - Parameters:
    ///   - level: the confidence level of the interval on the p-value.
    /// - Throws: ``StatisticsError`` for an empty or non-finite null sample or a non-finite observed value.
    public static func pValue(observed: Double, null: [Double], alternative: Alternative = .greater,
                              level: Double = 0.95) throws -> MonteCarloPValue {
        guard observed.isFinite else { throw StatisticsError("observed", expected: "a finite number, found \(observed)") }
        try StatisticsError.requireFinite(null, "null")
        try StatisticsError.requireCount(null, atLeast: 1, "null")
        var atLeast = 0, atMost = 0
        for v in null {
            if v >= observed { atLeast += 1 }
            if v <= observed { atMost += 1 }
        }
        return try assemble(observed: observed, atLeast: atLeast, atMost: atMost, total: null.count,
                            exact: false, alternative: alternative, level: level)
    }

    /// Builds the p-value and its interval from tail counts. For an exact test the counts include
    /// the observed arrangement itself and p = count / total.
    static func assemble(observed: Double, atLeast: Int, atMost: Int, total: Int, exact: Bool,
                         alternative: Alternative, level: Double) throws -> MonteCarloPValue {
        try StatisticsError.requireLevel(level)
        let adjustment = exact ? 0 : 1
        func p(_ count: Int) -> Double { Double(count + adjustment) / Double(total + adjustment) }
        let count: Int, pValue: Double, scale: Double
        switch alternative {
        case .greater: count = atLeast; pValue = p(atLeast); scale = 1
        case .less: count = atMost; pValue = p(atMost); scale = 1
        case .twoSided:
            count = min(atLeast, atMost)
            pValue = min(1, 2 * min(p(atLeast), p(atMost)))
            scale = 2
        }
        let interval: ConfidenceInterval
        if exact {
            interval = ConfidenceInterval(lower: pValue, upper: pValue, level: level)
        } else {
            let cp = try ClopperPearson.interval(successes: count, trials: total, level: level)
            interval = ConfidenceInterval(lower: min(1, scale * cp.lower), upper: min(1, scale * cp.upper), level: level)
        }
        return MonteCarloPValue(alternative: alternative, observed: observed, extremeCount: count,
                                nullCount: total, pValue: pValue, isExact: exact, interval: interval)
    }
}
