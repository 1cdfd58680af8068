/// A sample-quantile definition, numbered as in Hyndman & Fan, "Sample quantiles in statistical
/// packages", The American Statistician 50(4), 1996.
///
/// `.linear` (type 7) is the default of numpy and R. Names follow numpy's `quantile(method=)`;
/// each case's raw value is its Hyndman–Fan number (R's `quantile(type=)`).
public enum QuantileMethod: Int, Sendable, CaseIterable, Codable {
    /// Type 1: inverse of the empirical CDF.
    case invertedCDF = 1
    /// Type 2: inverse empirical CDF, averaging at discontinuities.
    case averagedInvertedCDF = 2
    /// Type 3: nearest order statistic, the even one at ties (SAS definition 2).
    case closestObservation = 3
    /// Type 4: linear interpolation of the empirical CDF.
    case interpolatedInvertedCDF = 4
    /// Type 5: piecewise linear, knots at midpoints (Hazen).
    case hazen = 5
    /// Type 6: p(k) = k / (n + 1) (Weibull; Minitab, SPSS).
    case weibull = 6
    /// Type 7: p(k) = (k − 1) / (n − 1); numpy's and R's default.
    case linear = 7
    /// Type 8: approximately median-unbiased; recommended by Hyndman & Fan.
    case medianUnbiased = 8
    /// Type 9: approximately unbiased for normal data.
    case normalUnbiased = 9
}

/// Sample quantiles.
public enum Quantile {
    /// The p-quantile of `x` by `method` (type 7 by default), as `numpy.quantile`.
    ///
    /// Sorts a copy: O(n log n). To take many quantiles of one sample, sort once and call
    /// ``ofSorted(_:_:method:)``.
    /// - Returns: NaN for an empty sample or `p` outside [0, 1].
    public static func quantile(_ x: [Double], _ p: Double, method: QuantileMethod = .linear) -> Double {
        ofSorted(x.sorted(), p, method: method)
    }

    /// The quantiles of `x` at each probability in `ps`.
    public static func quantiles(_ x: [Double], _ ps: [Double], method: QuantileMethod = .linear) -> [Double] {
        let sorted = x.sorted()
        return ps.map { ofSorted(sorted, $0, method: method) }
    }

    /// The p-quantile of an ascending-sorted sample: O(1).
    ///
    /// Follows numpy's implementation of each definition exactly (virtual index, clamping to the
    /// sample's range, and numpy's two-sided linear interpolation), so that results agree with
    /// numpy to the last few ulps.
    public static func ofSorted(_ x: [Double], _ p: Double, method: QuantileMethod = .linear) -> Double {
        x.withUnsafeBufferPointer { ofSorted($0, p, method: method) }
    }

    /// The p-quantile of an ascending-sorted buffer: O(1).
    public static func ofSorted(_ x: UnsafeBufferPointer<Double>, _ p: Double, method: QuantileMethod = .linear) -> Double {
        let count = x.count
        guard count > 0, p >= 0, p <= 1 else { return .nan }
        let n = Double(count)
        func at(_ i: Int) -> Double { x[min(max(i, 0), count - 1)] }
        switch method {
        case .invertedCDF, .closestObservation:
            let index = method == .invertedCDF ? n * p - 1 : n * p - 1 - 0.5
            let previous = index.rounded(.down)
            let gamma = index - previous
            let takePrevious: Bool
            if method == .invertedCDF {
                takePrevious = gamma == 0
            } else {
                takePrevious = gamma == 0 && Int(previous).isMultiple(of: 2) == false
            }
            return at(Int(takePrevious ? previous : previous + 1))
        default:
            let index: Double
            switch method {
            case .averagedInvertedCDF: index = n * p - 1
            case .linear: index = (n - 1) * p
            case .interpolatedInvertedCDF: index = virtualIndex(n, p, 0, 1)
            case .hazen: index = virtualIndex(n, p, 0.5, 0.5)
            case .weibull: index = virtualIndex(n, p, 0, 0)
            case .medianUnbiased: index = virtualIndex(n, p, 1.0 / 3.0, 1.0 / 3.0)
            default: index = virtualIndex(n, p, 3.0 / 8.0, 3.0 / 8.0)
            }
            if index < 0 { return x[0] }
            if index >= n - 1 { return x[count - 1] }
            let previous = index.rounded(.down)
            var gamma = index - previous
            if method == .averagedInvertedCDF { gamma = gamma == 0 ? 0.5 : 1 }
            let a = x[Int(previous)], b = x[Int(previous) + 1]
            return interpolate(a, b, gamma)
        }
    }

    /// numpy's `_compute_virtual_index`: n·p + (α + p(1 − α − β)) − 1 (zero-based).
    private static func virtualIndex(_ n: Double, _ p: Double, _ alpha: Double, _ beta: Double) -> Double {
        n * p + (alpha + p * (1 - alpha - beta)) - 1
    }

    /// Linear interpolation computed from the nearer end, as numpy's `_lerp`: exact at both ends
    /// and monotone in `t`.
    @inlinable
    static func interpolate(_ a: Double, _ b: Double, _ t: Double) -> Double {
        let d = b - a
        return t >= 0.5 ? b - d * (1 - t) : a + d * t
    }
}
