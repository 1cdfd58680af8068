/// The outcome of a bootstrap: the estimate, every replicate, and what the intervals need.
///
/// As R's `boot` object and scipy's `BootstrapResult`, the replicates are kept, so an interval of
/// another kind or level is computed from the same replicates without resampling
/// (``interval(_:level:)``). The BCa acceleration is computed once, when the result is made.
///
/// Degenerate input (every replicate equal, every jackknife value equal, or a NaN replicate)
/// yields NaN endpoints and a message in ``diagnostics``; it never crashes.
public struct BootstrapResult: Sendable {
    /// θ̂, the statistic on the original sample.
    public let estimate: Double
    /// θ*₁ … θ*_B in replicate order (replicate b always comes from the same substream).
    public let replicates: [Double]
    /// The BCa acceleration `a` (NaN when no jackknife was available or it was degenerate).
    public let acceleration: Double
    /// How the random numbers were drawn, when they were (nil for replicates supplied by hand).
    public let provenance: ResamplingProvenance?
    /// Problems found in the replicates; empty when all is well.
    public let diagnostics: [String]
    /// The replicates in ascending order (for quantiles).
    private let sortedReplicates: [Double]

    /// A result from replicates and leave-one-out estimates (one group per sample, or per factor
    /// of a crossed design); see ``Jackknife/acceleration(_:)-([[Double]])``.
    ///
    /// Use this to compute intervals from replicates made elsewhere.
    public init(estimate: Double, replicates: [Double], jackknife: [[Double]] = [],
                provenance: ResamplingProvenance? = nil) {
        self.init(estimate: estimate, replicates: replicates,
                  acceleration: jackknife.isEmpty ? .nan : Jackknife.acceleration(jackknife),
                  provenance: provenance)
    }

    /// A result from replicates and an acceleration computed elsewhere (for example, stored with
    /// the replicates and read back), so intervals are recomputed without resampling.
    public init(estimate: Double, replicates: [Double], acceleration: Double, provenance: ResamplingProvenance?) {
        self.estimate = estimate
        self.replicates = replicates
        self.acceleration = acceleration
        self.provenance = provenance
        var notes: [String] = []
        let nanCount = replicates.reduce(0) { $0 + ($1.isNaN ? 1 : 0) }
        if nanCount > 0 {
            notes.append("\(nanCount) of \(replicates.count) bootstrap replicates are NaN: the statistic is undefined on some resamples")
        }
        if !estimate.isFinite { notes.append("the estimate is \(estimate)") }
        if nanCount == 0, let first = replicates.first, replicates.allSatisfy({ $0 == first }) {
            notes.append("every bootstrap replicate equals \(first): the bootstrap distribution is degenerate")
        }
        self.diagnostics = notes
        self.sortedReplicates = nanCount > 0 ? [] : replicates.sorted()
    }

    /// The number of replicates B.
    public var resamples: Int { replicates.count }

    /// The bootstrap standard error: the standard deviation of the replicates with ddof 1, as
    /// scipy's `standard_error` and R's `boot` printout.
    public var standardError: Double { Descriptive.standardDeviation(replicates, ddof: 1) }

    /// The bootstrap estimate of bias, mean(θ*) − θ̂.
    public var bias: Double { Descriptive.mean(replicates) - estimate }

    /// z₀, BCa's bias correction: Φ⁻¹ of the fraction of replicates below θ̂, ties counted half.
    public var biasCorrection: Double {
        var below = 0, tied = 0
        for v in replicates {
            if v < estimate { below += 1 } else if v == estimate { tied += 1 }
        }
        return StandardNormal.quantile((2 * Double(below) + Double(tied)) / (2 * Double(replicates.count)))
    }

    /// The confidence interval of `kind` at `level` from these replicates.
    ///
    /// - Parameter level: in (0, 1).
    /// - Throws: ``StatisticsError`` when `level` is outside (0, 1).
    /// - Returns: NaN endpoints for degenerate replicates (see ``diagnostics``), and for BCa when
    ///   the acceleration is NaN.
    public func interval(_ kind: BootstrapInterval, level: Double = 0.95) throws -> ConfidenceInterval {
        try StatisticsError.requireLevel(level)
        guard !sortedReplicates.isEmpty else { return ConfidenceInterval(lower: .nan, upper: .nan, level: level) }
        let alpha = (1 - level) / 2
        func q(_ p: Double) -> Double { p.isNaN ? .nan : Quantile.ofSorted(sortedReplicates, p) }
        switch kind {
        case .percentile:
            return ConfidenceInterval(lower: q(alpha), upper: q(1 - alpha), level: level)
        case .basic:
            return ConfidenceInterval(lower: 2 * estimate - q(1 - alpha), upper: 2 * estimate - q(alpha), level: level)
        case .bca:
            let z0 = biasCorrection
            let a = acceleration
            func adjusted(_ z: Double) -> Double {
                let shifted = z0 + z
                return StandardNormal.cdf(z0 + shifted / (1 - a * shifted))
            }
            let zAlpha = StandardNormal.quantile(alpha)
            return ConfidenceInterval(lower: q(adjusted(zAlpha)), upper: q(adjusted(-zAlpha)), level: level)
        }
    }
}
