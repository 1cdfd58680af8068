/// Effect sizes: how far apart two samples (or an observation and a null sample) are.
///
/// Each validates its input and throws ``StatisticsError`` for too few or non-finite values.
public enum EffectSize {
    /// Cohen's d with the pooled standard deviation:
    /// `(mean x − mean y) / √(((n_x − 1)s_x² + (n_y − 1)s_y²) / (n_x + n_y − 2))` (Cohen 1988).
    /// - Returns: NaN when both samples are constant (the pooled SD is 0).
    public static func cohensD(_ x: [Double], _ y: [Double]) throws -> Double {
        try validate(x, "x", atLeast: 2)
        try validate(y, "y", atLeast: 2)
        let nx = Double(x.count), ny = Double(y.count)
        let pooled = (((nx - 1) * Descriptive.variance(x) + (ny - 1) * Descriptive.variance(y)) / (nx + ny - 2)).squareRoot()
        guard pooled > 0 else { return .nan }
        return (Descriptive.mean(x) - Descriptive.mean(y)) / pooled
    }

    /// Hedges' g: Cohen's d times the small-sample correction `1 − 3 / (4(n_x + n_y) − 9)`
    /// (Hedges 1981; Hedges & Olkin 1985).
    public static func hedgesG(_ x: [Double], _ y: [Double]) throws -> Double {
        let d = try cohensD(x, y)
        return d * (1 - 3 / (4 * Double(x.count + y.count) - 9))
    }

    /// The area under the ROC curve of x against y: `P(X > Y) + ½ P(X = Y)`, the Mann–Whitney U of
    /// x divided by n_x · n_y. Computed from average ranks in O((n_x + n_y) log(n_x + n_y)); ties
    /// count one half exactly.
    public static func auroc(_ x: [Double], _ y: [Double]) throws -> Double {
        try validate(x, "x", atLeast: 1)
        try validate(y, "y", atLeast: 1)
        let ranks = Ranking.ranks(x + y)
        var rankSum = 0.0
        for i in 0..<x.count { rankSum += ranks[i] }
        let nx = Double(x.count), ny = Double(y.count)
        return (rankSum - nx * (nx + 1) / 2) / (nx * ny)
    }

    /// Cliff's delta: `P(X > Y) − P(X < Y)` = 2 · AUROC − 1 (Cliff 1993).
    public static func cliffsDelta(_ x: [Double], _ y: [Double]) throws -> Double {
        2 * (try auroc(x, y)) - 1
    }

    /// The standardized distance of an observation from a null sample:
    /// `z = (T − mean(null)) / sd(null)` with ddof 1.
    /// - Returns: NaN (never ±∞) when the null sample is constant.
    public static func standardizedDistance(_ observed: Double, from null: [Double]) throws -> Double {
        guard observed.isFinite else { throw StatisticsError("observed", expected: "a finite number, found \(observed)") }
        try validate(null, "null", atLeast: 2)
        let sd = Descriptive.standardDeviation(null)
        guard sd > 0 else { return .nan }
        return (observed - Descriptive.mean(null)) / sd
    }

    private static func validate(_ x: [Double], _ name: String, atLeast n: Int) throws {
        try StatisticsError.requireFinite(x, name)
        try StatisticsError.requireCount(x, atLeast: n, name)
    }
}
