/// Exact conversion of 16-bit floating-point bit patterns to `Float`, by bit manipulation.
///
/// IEEE 754 binary16 (`F16`, NumPy `<f2`: 1 sign, 5 exponent, 10 fraction bits) and bfloat16
/// (`BF16`: the upper half of a binary32) both widen to binary32 without rounding. Subnormals,
/// zeros of either sign, infinities and NaNs are preserved, NaN payloads included (a signalling
/// NaN stays signalling), exactly as NumPy's `npy_halfbits_to_floatbits` does.
public enum HalfPrecision {
    /// The binary32 value of a binary16 bit pattern.
    @inline(__always)
    public static func float(fromFloat16Bits bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let fraction = UInt32(bits & 0x03FF)
        if exponent == 0x1F {
            // Infinity or NaN: all-ones exponent, fraction (payload) moved to the top.
            return Float(bitPattern: sign | 0x7F80_0000 | (fraction << 13))
        }
        if exponent != 0 {
            // Normal: rebias the exponent from 15 to 127.
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (fraction << 13))
        }
        if fraction == 0 { return Float(bitPattern: sign) }
        // Subnormal, fraction × 2⁻²⁴: shift the leading one up to bit 10 (the implicit bit) and
        // lower the exponent by the shift. Every binary16 subnormal is a binary32 normal.
        let shift = UInt32(fraction.leadingZeroBitCount - 21)
        let normalized = (fraction << shift) & 0x03FF
        return Float(bitPattern: sign | ((113 - shift) << 23) | (normalized << 13))
    }

    /// The binary32 value of a bfloat16 bit pattern (its upper 16 bits).
    @inline(__always)
    public static func float(fromBFloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
