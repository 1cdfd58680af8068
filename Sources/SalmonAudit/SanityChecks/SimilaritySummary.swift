import SalmonStatistics

/// The similarity between the trained model's maps and one stage's maps, for one method and one
/// measure, summarized over seeds and inputs.
///
/// With K models at the stage (K null seeds, or the K_t − 1 reference seeds, or the
/// permuted-label networks) and n evaluation inputs, s_{k,r} is the measure on input r between
/// the trained map and model k's map. Then:
/// - `perRow[r]` = mean over k of s_{k,r} (over the seeds where it is defined);
/// - `mean` = mean over r of `perRow` (rows defined for at least one seed) — the curve's point;
/// - `interval`: the bootstrap interval of that mean over inputs (resampling `perRow`; the kind
///   and level of the configuration) — uncertainty from *which digits* were explained;
/// - `seedMeans[k]` = mean over r of s_{k,r}: one value per seed, whose spread
///   (`seedQuantiles`, 2.5 % and 97.5 %, type 7; `seedStandardDeviation`, ddof 1) is the
///   uncertainty from *which random draw* was made.
public struct SimilaritySummary: Sendable, Codable, Equatable {
    public var stage: RandomizationStage
    public var method: String
    public var measure: String
    public var mean: Double
    public var interval: ConfidenceInterval
    public var seedMeans: [Double]
    public var seedQuantiles: [Double]
    public var seedStandardDeviation: Double
    /// (row, seed) pairs where the measure was undefined (a constant or zero map).
    public var undefinedPairs: Int
    /// Rows undefined for every seed, left out of `mean`.
    public var undefinedRows: Int
    /// The seed-averaged per-row values (NaN for an undefined row); kept for paired comparisons.
    public var perRow: [Double]

    /// Per-row sums over seeds, added one seed at a time in seed order (so the sums, and every
    /// figure made from them, do not depend on how the seeds were scheduled), without keeping
    /// every seed's rows.
    struct Accumulator: Sendable {
        var sums: [Double]
        var counts: [Int]
        var seedMeans: [Double] = []
        var undefinedPairs = 0

        init(rows: Int) {
            sums = [Double](repeating: 0, count: rows)
            counts = [Int](repeating: 0, count: rows)
        }

        /// Adds one seed's per-row values (NaN = undefined).
        mutating func add(_ values: [Double]) {
            precondition(values.count == sums.count, "one value per row")
            var total = 0.0, defined = 0
            for (r, v) in values.enumerated() {
                if v.isNaN { undefinedPairs += 1; continue }
                sums[r] += v
                counts[r] += 1
                total += v
                defined += 1
            }
            seedMeans.append(defined > 0 ? total / Double(defined) : .nan)
        }

        /// The summary of the seeds added so far.
        /// - Parameter bootstrap: the resampling plan (its path names this summary's substream).
        func summary(stage: RandomizationStage, method: String, measure: String, bootstrap: Bootstrap,
                     kind: BootstrapInterval, level: Double) throws -> SimilaritySummary {
            let perRow = sums.indices.map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : .nan }
            let defined = perRow.filter { !$0.isNaN }
            let (mean, interval) = try meanAndInterval(defined, bootstrap: bootstrap, kind: kind, level: level)
            let finiteSeeds = seedMeans.filter { !$0.isNaN }
            return SimilaritySummary(stage: stage, method: method, measure: measure, mean: mean, interval: interval,
                                     seedMeans: seedMeans,
                                     seedQuantiles: finiteSeeds.isEmpty ? [.nan, .nan] : Quantile.quantiles(finiteSeeds, [0.025, 0.975]),
                                     seedStandardDeviation: finiteSeeds.count > 1 ? Descriptive.standardDeviation(finiteSeeds) : .nan,
                                     undefinedPairs: undefinedPairs, undefinedRows: perRow.count - defined.count, perRow: perRow)
        }
    }

    /// The mean of `values` and its bootstrap interval; NaN for no values, a zero-width interval
    /// for values that are all equal (the bootstrap distribution is then degenerate).
    static func meanAndInterval(_ values: [Double], bootstrap: Bootstrap, kind: BootstrapInterval,
                                level: Double) throws -> (Double, ConfidenceInterval) {
        guard !values.isEmpty else { return (.nan, ConfidenceInterval(lower: .nan, upper: .nan, level: level)) }
        let mean = Descriptive.mean(values)
        if values.allSatisfy({ $0 == values[0] }) { return (mean, ConfidenceInterval(lower: mean, upper: mean, level: level)) }
        return (mean, try bootstrap.mean(values).interval(kind, level: level))
    }
}
