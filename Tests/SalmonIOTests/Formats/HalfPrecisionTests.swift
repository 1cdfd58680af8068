import Testing
@testable import SalmonIO

@Suite("Half precision")
struct HalfPrecisionTests {
    /// All 65 536 binary16 patterns against the hardware conversion (which quiets signalling
    /// NaNs, so NaNs are compared by payload with the quiet bit set).
    @Test func everyFloat16PatternWidensExactly() {
        // Swift has no Float16 on Intel Macs.
        #if !(os(macOS) && arch(x86_64))
        if #available(macOS 11, iOS 14, *) {
            var mismatches = 0
            for bits in 0...UInt16.max {
                let ours = HalfPrecision.float(fromFloat16Bits: bits)
                let reference = Float(Float16(bitPattern: bits))
                if reference.isNaN {
                    if !ours.isNaN || (ours.bitPattern | 0x0040_0000) != reference.bitPattern { mismatches += 1 }
                } else if ours.bitPattern != reference.bitPattern {
                    mismatches += 1
                }
            }
            #expect(mismatches == 0)
        }
        #endif
    }

    @Test func signallingNaNKeepsItsPayload() {
        #expect(HalfPrecision.float(fromFloat16Bits: 0x7C01).bitPattern == 0x7F80_2000)
        #expect(HalfPrecision.float(fromFloat16Bits: 0xFE55).bitPattern == 0xFFCA_A000)
    }

    @Test func bfloat16IsTheUpperHalf() {
        for bits in stride(from: 0, through: Int(UInt16.max), by: 7) {
            let value = HalfPrecision.float(fromBFloat16Bits: UInt16(bits))
            #expect(value.bitPattern == UInt32(bits) << 16)
        }
    }
}
