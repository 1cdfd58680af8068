/// A built-in statistic of a one-dimensional sample, with an efficient jackknife.
///
/// Standard deviation and variance use ddof 1. The trimmed mean cuts ⌊proportion · n⌋ values
/// from each end (`scipy.stats.trim_mean`).
public enum BootstrapStatistic: Sendable, Equatable, CustomStringConvertible {
    case mean
    case median
    case standardDeviation
    case variance
    case trimmedMean(proportion: Double)

    public var description: String {
        switch self {
        case .mean: return "mean"
        case .median: return "median"
        case .standardDeviation: return "std"
        case .variance: return "var"
        case .trimmedMean(let p): return "trimmed-mean(\(p))"
        }
    }

    /// Validates the statistic's own parameters and the sample size it needs.
    func validate(sampleSize n: Int) throws {
        switch self {
        case .mean, .median:
            if n < 1 { throw StatisticsError("data", expected: "at least 1 value, found 0") }
        case .standardDeviation, .variance:
            if n < 2 { throw StatisticsError("data", expected: "at least 2 values for \(self), found \(n)") }
        case .trimmedMean(let p):
            if !(p >= 0 && p < 0.5) {
                throw StatisticsError("trim", expected: "a proportion in [0, 0.5), found \(p)")
            }
            if n < 1 { throw StatisticsError("data", expected: "at least 1 value, found 0") }
        }
    }

    /// The statistic of `x`; may reorder `x`.
    func evaluate(_ x: UnsafeMutableBufferPointer<Double>) -> Double {
        switch self {
        case .mean: return Descriptive.mean(UnsafeBufferPointer(x))
        case .median: return Descriptive.medianInPlace(x)
        case .standardDeviation: return Descriptive.standardDeviation(UnsafeBufferPointer(x), ddof: 1)
        case .variance: return Descriptive.variance(UnsafeBufferPointer(x), ddof: 1)
        case .trimmedMean(let p): return Descriptive.trimmedMeanInPlace(x, proportion: p)
        }
    }

    /// The statistic of `x`.
    public func evaluate(_ x: [Double]) -> Double {
        var copy = x
        return copy.withUnsafeMutableBufferPointer { evaluate($0) }
    }

    /// The n leave-one-out values θ̂₍ᵢ₎, in the order of `x`.
    ///
    /// - Complexity: O(n) for the mean, variance and standard deviation (downdating the sums),
    ///   O(n log n) for the median (from the sorted order), O(n) for the trimmed mean.
    public func jackknife(_ x: [Double]) -> [Double] {
        let n = x.count
        guard n > 1 else { return [] }
        switch self {
        case .mean:
            let total = x.withUnsafeBufferPointer { Descriptive.sum($0) }
            return x.map { (total - $0) / Double(n - 1) }
        case .variance, .standardDeviation:
            // Removing x_i from a sample with mean m and centred sum of squares S leaves
            // S − (x_i − m)² · n / (n − 1) (Welford's downdate).
            let m = Descriptive.mean(x)
            let ss = Descriptive.variance(x, ddof: 0) * Double(n)
            return x.map { v in
                let d = v - m
                let variance = max(0, ss - d * d * Double(n) / Double(n - 1)) / Double(n - 2)
                return self == .variance ? variance : variance.squareRoot()
            }
        case .median:
            let order = StableOrder.ascending(x)
            let s = order.map { x[$0] }
            var position = [Int](repeating: 0, count: n)
            for (k, i) in order.enumerated() { position[i] = k }
            let m = n - 1
            return (0..<n).map { i in
                let k = position[i]
                func remaining(_ j: Int) -> Double { j < k ? s[j] : s[j + 1] }
                if m % 2 == 1 { return remaining(m / 2) }
                let lo = remaining(m / 2 - 1), hi = remaining(m / 2)
                return lo + (hi - lo) / 2
            }
        case .trimmedMean(let p):
            // Leaving one value out keeps n − 1, of which c = ⌊p(n − 1)⌋ are cut from each end and
            // w = n − 1 − 2c kept. Sorted s₀ ≤ … ≤ s_{n−1}: removing a value v of sorted position k
            // keeps s_c … s_{n−1−c} without s_k when c ≤ k ≤ n − 1 − c, without s_c when k < c, and
            // without s_{n−1−c} when k > n − 1 − c. All three read T − clamp(v, s_c, s_{n−1−c}),
            // T = s_c + … + s_{n−1−c}, whichever of tied values is removed. Two selections and one
            // sum: O(n) instead of n trimmed means.
            let cut = Int((p * Double(n - 1)).rounded(.down))
            let kept = n - 1 - 2 * cut
            guard kept >= 1 else { return [Double](repeating: .nan, count: n) }
            var sorted = x
            let (low, high, total) = sorted.withUnsafeMutableBufferPointer { b -> (Double, Double, Double) in
                Selection.select(b, rank: cut)
                Selection.select(UnsafeMutableBufferPointer(rebasing: b[cut...]), rank: n - 1 - 2 * cut)
                return (b[cut], b[n - 1 - cut], Descriptive.sum(UnsafeBufferPointer(rebasing: b[cut...(n - 1 - cut)])))
            }
            return x.map { v in (total - min(max(v, low), high)) / Double(kept) }
        }
    }
}
