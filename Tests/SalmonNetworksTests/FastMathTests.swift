import Foundation
import Testing
import SalmonNetworks

/// The vectorizable exp, erf and tanh against Double's libm on a fine grid over [−10, 10], plus
/// the edges. The asserted bounds are those stated in ``FastMath``'s documentation.
@Suite struct FastMathTests {
    static let grid: [Float] = (0...200_000).map { Float(-10 + Double($0) * 1e-4) } + [0, -0, 1e-30, -1e-30, 87, -87]

    @Test func expRelativeError() {
        var worst = 0.0
        for x in Self.grid {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(FastMath.exp(x)) - exact) / exact)
        }
        #expect(worst < 3e-7, "worst relative error \(worst)")
        #expect(FastMath.exp(-1000) > 0 && FastMath.exp(-1000) < 1e-37)
        #expect(FastMath.exp(0) == 1)
    }

    @Test func erfAbsoluteError() {
        var worst = 0.0
        for x in Self.grid { worst = max(worst, abs(Double(FastMath.erf(x)) - Foundation.erf(Double(x)))) }
        #expect(worst < 5e-7, "worst absolute error \(worst)")
        #expect(FastMath.erf(0) == 0 && FastMath.erf(100) <= 1 && FastMath.erf(-100) >= -1)
    }

    @Test func tanhAbsoluteError() {
        var worst = 0.0
        for x in Self.grid { worst = max(worst, abs(Double(FastMath.tanh(x)) - Foundation.tanh(Double(x)))) }
        #expect(worst < 3e-7, "worst absolute error \(worst)")
    }
}
