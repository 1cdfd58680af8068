internal import CGSL
import Foundation

/// GSL's abort-on-error handler is switched off once, before the first GSL call; every wrapper
/// checks its inputs and results itself (a NaN result is reported, never passed on silently).
internal let gslErrorHandlerOff: Void = { salmon_gsl_error_handler_off() }()

/// The standard normal distribution (GSL's `gsl_cdf_ugaussian_*`).
public enum StandardNormal {
    /// Φ(x), the cumulative distribution function.
    public static func cdf(_ x: Double) -> Double {
        _ = gslErrorHandlerOff
        return gsl_cdf_ugaussian_P(x)
    }

    /// Φ⁻¹(p), the quantile function; −∞ at 0, +∞ at 1, NaN outside [0, 1].
    public static func quantile(_ p: Double) -> Double {
        _ = gslErrorHandlerOff
        if p.isNaN || p < 0 || p > 1 { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        return gsl_cdf_ugaussian_Pinv(p)
    }
}

/// The beta distribution's quantile function, refined to full double precision.
public enum BetaDistribution {
    /// The regularized incomplete beta function I_x(a, b) = P(X ≤ x) for X ~ Beta(a, b).
    public static func cdf(_ x: Double, a: Double, b: Double) -> Double {
        _ = gslErrorHandlerOff
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        return gsl_cdf_beta_P(x, a, b)
    }

    /// The p-quantile of Beta(a, b).
    ///
    /// GSL's `gsl_cdf_beta_Pinv` gives a starting point accurate to about 1e-10; it is then
    /// polished by bisection-safeguarded Newton steps on `gsl_sf_beta_inc`, which brings the
    /// quantile to within a few ulps where the density is not extreme.
    public static func quantile(_ p: Double, a: Double, b: Double) -> Double {
        _ = gslErrorHandlerOff
        if p.isNaN || a.isNaN || b.isNaN || a <= 0 || b <= 0 || p < 0 || p > 1 { return .nan }
        if p == 0 { return 0 }
        if p == 1 { return 1 }
        var x = gsl_cdf_beta_Pinv(p, a, b)
        if !x.isFinite || x <= 0 || x >= 1 { x = a / (a + b) }
        var lo = 0.0, hi = 1.0
        let logBeta = gsl_sf_lnbeta(a, b)
        for _ in 0..<100 {
            let f = gsl_sf_beta_inc(a, b, x) - p
            if f == 0 { return x }
            if f > 0 { hi = x } else { lo = x }
            let logDensity = (a - 1) * log(x) + (b - 1) * log1p(-x) - logBeta
            var next = x - f / exp(logDensity)
            if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
            if abs(next - x) <= 2 * Double.ulpOfOne * x { return next }
            x = next
        }
        return x
    }
}

/// The binomial distribution's cumulative distribution and quantile functions (GSL).
public enum BinomialDistribution {
    /// P(X ≤ k) for X ~ Binomial(n, p).
    public static func cdf(_ k: Int, trials n: Int, probability p: Double) -> Double {
        _ = gslErrorHandlerOff
        if k < 0 { return 0 }
        if k >= n { return 1 }
        return gsl_cdf_binomial_P(UInt32(k), p, UInt32(n))
    }

    /// The smallest k with P(X ≤ k) ≥ q.
    public static func quantile(_ q: Double, trials n: Int, probability p: Double) -> Int {
        var k = 0
        while k < n && cdf(k, trials: n, probability: p) < q { k += 1 }
        return k
    }

    /// The central acceptance band `[lower, upper]` that holds a Binomial(n, p) count with
    /// probability at least `level` (equal tails): used to judge calibration simulations.
    public static func centralBand(level: Double, trials n: Int, probability p: Double) -> ClosedRange<Int> {
        let tail = (1 - level) / 2
        var lower = 0
        while lower < n && cdf(lower, trials: n, probability: p) <= tail { lower += 1 }
        let upper = quantile(1 - tail, trials: n, probability: p)
        return lower...upper
    }
}

/// Student's t distribution (GSL).
public enum StudentT {
    /// P(T > t) for T ~ t(ν).
    public static func survival(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        _ = gslErrorHandlerOff
        return gsl_cdf_tdist_Q(t, nu)
    }
}
