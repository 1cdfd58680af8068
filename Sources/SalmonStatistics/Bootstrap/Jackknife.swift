/// Jackknife quantities used by the BCa interval.
public enum Jackknife {
    /// The BCa acceleration from groups of leave-one-out estimates.
    ///
    /// For one group of n leave-one-out estimates θ̂₍ᵢ₎ with mean θ̄:
    /// `a = Σ(θ̄ − θ̂₍ᵢ₎)³ / (6 [Σ(θ̄ − θ̂₍ᵢ₎)²]^{3/2})` (Efron & Tibshirani 1993, eq. 14.15).
    /// For several groups (samples of a multi-sample statistic, or the two factors of a crossed
    /// two-level design) the contributions add, each scaled by its size as in
    /// `scipy.stats.bootstrap`: with `U = (n − 1)(θ̄ − θ̂₍ᵢ₎)`,
    /// `a = Σ_g ΣU³/n_g³ / (6 (Σ_g ΣU²/n_g²)^{3/2})`.
    /// - Returns: NaN when every leave-one-out estimate is equal (degenerate data).
    public static func acceleration(_ groups: [[Double]]) -> Double {
        var numerator = 0.0, denominator = 0.0
        for group in groups where group.count > 1 {
            let n = Double(group.count)
            let mean = Descriptive.mean(group)
            var s2 = 0.0, s3 = 0.0
            for v in group {
                let u = (n - 1) * (mean - v)
                s2 += u * u
                s3 += u * u * u
            }
            numerator += s3 / (n * n * n)
            denominator += s2 / (n * n)
        }
        guard denominator > 0 else { return .nan }
        return numerator / (6 * (denominator * denominator.squareRoot()))
    }

    /// The acceleration from one group of leave-one-out estimates.
    public static func acceleration(_ leaveOneOut: [Double]) -> Double { acceleration([leaveOneOut]) }

    /// The jackknife acceleration of the mean in closed form: the leave-one-out deviations are
    /// θ̄ − θ̂₍ᵢ₎ = (x_i − x̄)/(n − 1), so `a = Σd³ / (6 (Σd²)^{3/2})` with d_i = x_i − x̄.
    /// O(n) time, O(1) memory. NaN for constant data or n < 2.
    public static func accelerationOfMean(_ x: [Double]) -> Double {
        guard x.count > 1 else { return .nan }
        let m = Descriptive.mean(x)
        var s2 = 0.0, s3 = 0.0
        for v in x {
            let d = v - m
            s2 += d * d
            s3 += d * d * d
        }
        guard s2 > 0 else { return .nan }
        return s3 / (6 * (s2 * s2.squareRoot()))
    }
}
