import Foundation

/// Descriptive statistics of a sample.
///
/// Conventions: variances and standard deviations use `ddof` (delta degrees of freedom; 1 by
/// default, the unbiased sample variance as in R, where numpy's default is 0). Empty input gives
/// NaN, and NaN in the input propagates to the result; the validated entry points
/// (bootstrap, tests) reject such input before it gets here.
public enum Descriptive {
    /// The arithmetic mean, by a two-pass algorithm: the first pass's mean is corrected by the
    /// mean residual, which removes most rounding error (Higham, *Accuracy and Stability of
    /// Numerical Algorithms*, §1.9).
    public static func mean(_ x: [Double]) -> Double {
        x.withUnsafeBufferPointer { mean($0) }
    }

    /// The arithmetic mean of a buffer.
    public static func mean(_ x: UnsafeBufferPointer<Double>) -> Double {
        guard !x.isEmpty else { return .nan }
        let n = Double(x.count)
        let m = sum(x) / n
        var r = 0.0
        for v in x { r += v - m }
        return m + r / n
    }

    /// The sum, with four independent accumulators (faster, and no less accurate than one).
    public static func sum(_ x: UnsafeBufferPointer<Double>) -> Double {
        var a = 0.0, b = 0.0, c = 0.0, d = 0.0
        var i = 0
        let n = x.count
        while i + 4 <= n {
            a += x[i]; b += x[i + 1]; c += x[i + 2]; d += x[i + 3]
            i += 4
        }
        while i < n { a += x[i]; i += 1 }
        return (a + b) + (c + d)
    }

    /// The variance with `ddof` delta degrees of freedom, by the corrected two-pass algorithm
    /// (Chan, Golub & LeVeque 1983), stable for data with a large common offset.
    public static func variance(_ x: [Double], ddof: Int = 1) -> Double {
        x.withUnsafeBufferPointer { variance($0, ddof: ddof) }
    }

    /// The variance of a buffer.
    public static func variance(_ x: UnsafeBufferPointer<Double>, ddof: Int = 1) -> Double {
        let n = x.count
        guard n - ddof > 0 else { return .nan }
        let m = mean(x)
        var ss = 0.0, s = 0.0
        for v in x {
            let d = v - m
            ss += d * d
            s += d
        }
        return max(0, (ss - s * s / Double(n)) / Double(n - ddof))
    }

    /// The standard deviation with `ddof` delta degrees of freedom.
    public static func standardDeviation(_ x: [Double], ddof: Int = 1) -> Double {
        variance(x, ddof: ddof).squareRoot()
    }

    /// The standard deviation of a buffer.
    public static func standardDeviation(_ x: UnsafeBufferPointer<Double>, ddof: Int = 1) -> Double {
        variance(x, ddof: ddof).squareRoot()
    }

    /// The median (the mean of the two middle order statistics when the count is even).
    public static func median(_ x: [Double]) -> Double {
        var copy = x
        return copy.withUnsafeMutableBufferPointer { medianInPlace($0) }
    }

    /// The median of a buffer whose order is destroyed: O(n) expected by quickselect.
    public static func medianInPlace(_ x: UnsafeMutableBufferPointer<Double>) -> Double {
        let n = x.count
        guard n > 0 else { return .nan }
        let upper = Selection.select(x, rank: n / 2)
        if n % 2 == 1 { return upper }
        // The lower middle is the largest element left of the upper one after selection.
        var lower = x[0]
        for i in 1..<(n / 2) where x[i] > lower { lower = x[i] }
        return lower + (upper - lower) / 2
    }

    /// The trimmed mean: the mean after removing ⌊proportion · n⌋ observations from each end, as
    /// `scipy.stats.trim_mean` (which is R's `mean(x, trim=)` except for R's median at 0.5).
    /// - Parameter proportion: in [0, 0.5); the fraction cut from *each* end.
    public static func trimmedMean(_ x: [Double], proportion: Double) -> Double {
        var copy = x
        return copy.withUnsafeMutableBufferPointer { trimmedMeanInPlace($0, proportion: proportion) }
    }

    /// The trimmed mean of a buffer whose order is destroyed.
    public static func trimmedMeanInPlace(_ x: UnsafeMutableBufferPointer<Double>, proportion: Double) -> Double {
        let n = x.count
        let cut = Int((proportion * Double(n)).rounded(.down))
        guard n > 0, proportion >= 0, 2 * cut < n else { return .nan }
        if cut > 0 {
            _ = Selection.select(x, rank: cut)
            let tail = UnsafeMutableBufferPointer(rebasing: x[cut...])
            _ = Selection.select(tail, rank: n - 2 * cut - 1)
        }
        return mean(UnsafeBufferPointer(rebasing: x[cut..<(n - cut)]))
    }

    /// The smallest value (NaN for empty input).
    public static func minimum(_ x: [Double]) -> Double { x.min() ?? .nan }

    /// The largest value (NaN for empty input).
    public static func maximum(_ x: [Double]) -> Double { x.max() ?? .nan }

    /// The adjusted Fisher–Pearson sample skewness G₁ (scipy `skew(bias=False)`, SAS/SPSS's),
    /// defined for n ≥ 3.
    public static func skewness(_ x: [Double]) -> Double {
        let n = Double(x.count)
        guard x.count >= 3 else { return .nan }
        let m = mean(x)
        var m2 = 0.0, m3 = 0.0
        for v in x {
            let d = v - m
            m2 += d * d
            m3 += d * d * d
        }
        m2 /= n; m3 /= n
        let g1 = m3 / pow(m2, 1.5)
        return g1 * (n * (n - 1)).squareRoot() / (n - 2)
    }

    /// The adjusted sample excess kurtosis G₂ (scipy `kurtosis(bias=False, fisher=True)`),
    /// defined for n ≥ 4.
    public static func excessKurtosis(_ x: [Double]) -> Double {
        let n = Double(x.count)
        guard x.count >= 4 else { return .nan }
        let m = mean(x)
        var m2 = 0.0, m4 = 0.0
        for v in x {
            let d2 = (v - m) * (v - m)
            m2 += d2
            m4 += d2 * d2
        }
        m2 /= n; m4 /= n
        let g2 = m4 / (m2 * m2) - 3
        return ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3))
    }
}
