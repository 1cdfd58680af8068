/// The bootstrap of a statistic over pairs of seeds — the mean, over pairs of distinct seeds, of a
/// value defined for each pair (the best overlap of two networks' circuits, or whether they share
/// one) — resampling *seeds*, the independent units, never pairs.
///
/// The estimate is the U-statistic (1 / C(n, 2)) Σ_{a<b} v(a, b). A replicate draws n seeds with
/// replacement and averages v over the pairs of positions holding *different* original seeds
/// (a pair of copies of one seed is not a pair of independent networks, and v(a, a) would be a
/// perfect self-match); a replicate in which every position holds the same seed is undefined
/// (NaN), which makes the interval absent rather than wrong (probability n^(1−n) per replicate).
/// BCa's acceleration comes from the leave-one-seed-out jackknife (Efron & Tibshirani 1993,
/// §14.3; the bootstrap of U-statistics: Arcones & Giné, Ann. Statist. 20, 1992).
public struct SeedPairBootstrap: Sendable {
    /// v(a, b) for a ≠ b, symmetric; the diagonal is ignored.
    public let values: [[Double]]

    /// - Precondition: `values` is square.
    public init(values: [[Double]]) {
        precondition(values.allSatisfy { $0.count == values.count }, "a square matrix of pair values")
        self.values = values
    }

    /// The number of seeds.
    public var seeds: Int { values.count }

    /// The mean over pairs of distinct seeds, or NaN with fewer than two seeds.
    public var estimate: Double { mean(over: Array(0..<seeds)) }

    /// The mean of v over pairs of positions holding different seeds.
    func mean(over indices: some Collection<Int>) -> Double {
        let idx = Array(indices)
        var total = 0.0, count = 0
        for a in 0..<idx.count {
            for b in (a + 1)..<max(a + 1, idx.count) where idx[a] != idx[b] {
                total += values[idx[a]][idx[b]]
                count += 1
            }
        }
        return count == 0 ? .nan : total / Double(count)
    }

    /// The bootstrap over seeds.
    /// - Throws: ``StatisticsError`` from the plan (fewer than one seed).
    public func run(_ plan: Bootstrap) throws -> BootstrapResult {
        let copy = self
        return try plan.run(count: seeds, jackknife: true) { indices in copy.mean(over: indices) }
    }
}
