/// How tied values share ranks (the methods of `scipy.stats.rankdata` and R's `rank`).
public enum TieMethod: String, Sendable, CaseIterable, Codable {
    /// The mean of the ranks the tied group spans (the default; what Spearman's ρ uses).
    case average
    /// The lowest rank of the group.
    case min
    /// The highest rank of the group.
    case max
    /// Consecutive integer ranks for distinct values.
    case dense
    /// Distinct ranks in order of appearance.
    case ordinal
}

/// Ranks of a sample.
public enum Ranking {
    /// The ranks (1-based) of `x`, ties resolved by `ties`. O(n log n).
    ///
    /// NaN values are not ordered; callers validate against them (the result is unspecified).
    public static func ranks(_ x: [Double], ties: TieMethod = .average) -> [Double] {
        let n = x.count
        guard n > 0 else { return [] }
        let order = StableOrder.ascending(x)
        var ranks = [Double](repeating: 0, count: n)
        var start = 0
        var denseRank = 0.0
        while start < n {
            var end = start + 1
            while end < n && x[order[end]] == x[order[start]] { end += 1 }
            denseRank += 1
            for k in start..<end {
                let rank: Double
                switch ties {
                case .average: rank = Double(start + end + 1) / 2
                case .min: rank = Double(start + 1)
                case .max: rank = Double(end)
                case .dense: rank = denseRank
                case .ordinal: rank = Double(k + 1)
                }
                ranks[order[k]] = rank
            }
            start = end
        }
        return ranks
    }

}
