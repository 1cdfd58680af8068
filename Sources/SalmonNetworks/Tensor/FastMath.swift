/// Single-precision exp, erf and tanh written as branch-free arithmetic, so that loops over
/// buffers vectorize instead of calling libm once per element.
///
/// - `exp`: Cephes' `expf` (S. Moshier): x = n·ln 2 + r with a two-part ln 2 (Cody & Waite),
///   a degree-6 polynomial for eʳ, and 2ⁿ built from the exponent bits. Inputs are clamped to
///   [−87.3, 88.7], so the result is never a subnormal, 0 or ∞ (e^−87.3 ≈ 1.2e−38).
/// - `erf`: the rational approximation of Eigen's `generic_fast_erf_float`, erf(x) ≈ x·P(x²)/Q(x²)
///   on x clamped to [−4, 4] (erf(±4) = ±1 to float precision).
/// - `tanh`: 1 − 2/(e^{2x} + 1), with the argument clamped to ±9 (tanh(9) = 1 in float).
///
/// Accuracy (measured against Double's libm over [−10, 10] by `FastMathTests`): relative error
/// of `exp` below 3e−7 (measured 7.8e−8); absolute error of `erf` below 5e−7 (4.2e−7) and of
/// `tanh` below 3e−7 (1.8e−7).
public enum FastMath {
    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let v = min(max(x, -87.3), 88.7)
        // Round v·log₂e to the nearest integer n with the 1.5·2²³ trick: the sum's low mantissa
        // bits hold n, so neither a rounding call nor a trapping Int conversion is needed (both
        // keep a loop from vectorizing on baseline x86-64).
        let shifted = v * 1.44269504088896341 + 12582912
        let n = shifted - 12582912
        let r = v - n * 0.693359375 + n * 2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let er = p * r * r + r + 1
        return er * Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
    }

    @inlinable @inline(__always)
    public static func erf(_ x: Float) -> Float {
        let v = min(max(x, -4), 4)
        let z = v * v
        var p: Float = -2.72614225801306e-10
        p = p * z + 2.77068142495902e-08
        p = p * z - 2.10102402082508e-06
        p = p * z - 5.69250639462346e-05
        p = p * z - 7.34990630326855e-04
        p = p * z - 2.95459980854025e-03
        p = p * z - 1.60960333262415e-02
        var q: Float = -1.45660718464996e-05
        q = q * z - 2.13374055278905e-04
        q = q * z - 1.68282697438203e-03
        q = q * z - 7.37332916720468e-03
        q = q * z - 1.42647390514189e-02
        return v * p / q
    }

    @inlinable @inline(__always)
    public static func tanh(_ x: Float) -> Float {
        let v = min(max(x, -9), 9)
        return 1 - 2 / (exp(2 * v) + 1)
    }
}
