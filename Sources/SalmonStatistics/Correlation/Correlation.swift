/// Correlation coefficients between two paired samples.
///
/// Each returns NaN (never a crash) when a sample is constant or shorter than 2, as scipy does;
/// the validated entry points report such cases before they get here.
public enum Correlation {
    /// Pearson's product-moment correlation, by two passes about the means.
    /// - Throws: ``StatisticsError`` when the samples differ in length.
    public static func pearson(_ x: [Double], _ y: [Double]) throws -> Double {
        try requireEqualLength(x, y)
        guard x.count >= 2 else { return .nan }
        let mx = Descriptive.mean(x), my = Descriptive.mean(y)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            let dx = x[i] - mx, dy = y[i] - my
            sxy += dx * dy
            sxx += dx * dx
            syy += dy * dy
        }
        guard sxx > 0, syy > 0 else { return .nan }
        return max(-1, min(1, sxy / (sxx.squareRoot() * syy.squareRoot())))
    }

    /// Spearman's rank correlation: Pearson's r of the average ranks (ties get mean ranks, as
    /// `scipy.stats.spearmanr`).
    public static func spearman(_ x: [Double], _ y: [Double]) throws -> Double {
        try requireEqualLength(x, y)
        return try pearson(Ranking.ranks(x), Ranking.ranks(y))
    }

    /// Kendall's τ_b, which corrects for ties in either sample:
    /// τ_b = (n_c − n_d) / √((n₀ − n₁)(n₀ − n₂)).
    ///
    /// Knight's O(n log n) algorithm (Knight, "A computer method for calculating Kendall's tau with
    /// ungrouped data", JASA 61, 1966): sort by (x, y), count tied pairs, then count discordant
    /// pairs as the swaps of a merge sort on y. Exact integer counts, so the result is exact to
    /// the final division.
    public static func kendallTauB(_ x: [Double], _ y: [Double]) throws -> Double {
        try requireEqualLength(x, y)
        let n = x.count
        guard n >= 2 else { return .nan }
        let order = Array(0..<n).sorted { x[$0] < x[$1] || (x[$0] == x[$1] && y[$0] < y[$1]) }
        var ys = order.map { y[$0] }
        let xs = order.map { x[$0] }

        // Pairs tied in x (n1) and tied in both (n3), from runs in the (x, y)-sorted order.
        var tiedX = 0, tiedXY = 0
        var i = 0
        while i < n {
            var j = i + 1
            while j < n && xs[j] == xs[i] { j += 1 }
            tiedX += (j - i) * (j - i - 1) / 2
            var k = i
            while k < j {
                var l = k + 1
                while l < j && ys[l] == ys[k] { l += 1 }
                tiedXY += (l - k) * (l - k - 1) / 2
                k = l
            }
            i = j
        }

        // Discordant pairs = inversions of y in this order (ties in y are not inversions).
        var scratch = [Double](repeating: 0, count: n)
        let swaps = mergeCountInversions(&ys, &scratch)

        var tiedY = 0
        i = 0
        while i < n {
            var j = i + 1
            while j < n && ys[j] == ys[i] { j += 1 }
            tiedY += (j - i) * (j - i - 1) / 2
            i = j
        }
        let total = n * (n - 1) / 2
        let concordantMinusDiscordant = total - tiedX - tiedY + tiedXY - 2 * swaps
        let denominator = (Double(total - tiedX) * Double(total - tiedY)).squareRoot()
        guard denominator > 0 else { return .nan }
        return max(-1, min(1, Double(concordantMinusDiscordant) / denominator))
    }

    private static func requireEqualLength(_ x: [Double], _ y: [Double]) throws {
        if x.count != y.count {
            throw StatisticsError("y", expected: "as many values as x (\(x.count)), found \(y.count)")
        }
    }

    /// Bottom-up merge sort of `a` that returns the number of strict inversions.
    private static func mergeCountInversions(_ a: inout [Double], _ scratch: inout [Double]) -> Int {
        let n = a.count
        var inversions = 0
        var width = 1
        while width < n {
            var lo = 0
            while lo < n - width {
                let mid = lo + width, hi = min(lo + 2 * width, n)
                var i = lo, j = mid, k = lo
                while i < mid && j < hi {
                    if a[j] < a[i] {
                        scratch[k] = a[j]; j += 1
                        inversions += mid - i
                    } else {
                        scratch[k] = a[i]; i += 1
                    }
                    k += 1
                }
                while i < mid { scratch[k] = a[i]; i += 1; k += 1 }
                while j < hi { scratch[k] = a[j]; j += 1; k += 1 }
                for t in lo..<hi { a[t] = scratch[t] }
                lo += 2 * width
            }
            width *= 2
        }
        return inversions
    }
}
