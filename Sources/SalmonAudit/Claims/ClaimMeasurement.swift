/// What one fit of a claim's method on one unit at one site gave: each requested statistic and
/// the fit's diagnostics.
public struct ClaimEvaluation: Sendable {
    public var measurements: [String: ClaimMeasurement]
    /// Fitting diagnostics worth summing over units (read back by the family's
    /// ``ClaimFamily/notes(diagnostics:)``).
    public var diagnostics: [String: Double]

    public init(measurements: [String: ClaimMeasurement], diagnostics: [String: Double] = [:]) {
        self.measurements = measurements
        self.diagnostics = diagnostics
    }
}

/// One statistic of one unit at one site, with how the engine resamples it for the trained
/// estimate's interval (the choice belongs to the family, which knows what the statistic is).
public struct ClaimMeasurement: Sendable {
    /// The value: finite, or the evaluation throws.
    public var value: Double
    public var resampling: ClaimResampling

    public init(value: Double, resampling: ClaimResampling) {
        self.value = value
        self.resampling = resampling
    }
}

/// How a trained statistic is bootstrapped over the evaluation inputs.
public enum ClaimResampling: Sendable {
    /// The statistic is the mean of these per-example scores: they are resampled (the cheap path;
    /// also what the two-level bootstrap over seeds × inputs needs).
    case meanOfScores([Double])
    /// A statistic of rows that is not a mean (a ratio such as R², a fraction of units): recomputed
    /// from per-row quantities on each resample of `count` rows, without refitting.
    case rows(count: Int, statistic: @Sendable (UnsafeBufferPointer<Int>) -> Double)
    /// The method is refitted on each resample of `count` rows (the full path); NaN where a
    /// resample cannot be fitted.
    case refit(count: Int, statistic: @Sendable (UnsafeBufferPointer<Int>) -> Double)
    /// Not resampled; the reason is printed in place of the interval.
    case none(reason: String)

    /// The name stored with the bootstrap (`mean`, `rows`, `full`).
    var storedPath: String {
        switch self {
        case .meanOfScores: return "mean"
        case .rows: return "rows"
        case .refit: return "full"
        case .none: return "none"
        }
    }
}
