import Testing
import SalmonStatistics

/// Pearson, Spearman and Kendall τ_b against scipy (fixture `correlation.json`).
@Suite struct CorrelationReferenceTests {
    struct Case: Decodable {
        var name: String
        var x: [Double]
        var y: [Double]
        var pearson: Double
        var spearman: Double
        var kendall: Double
    }
    struct File: Decodable { var cases: [Case] }

    @Test func correlationsMatchScipy() throws {
        for c in try Fixture.load("correlation.json", as: File.self).cases {
            let r = try Correlation.pearson(c.x, c.y)
            let rho = try Correlation.spearman(c.x, c.y)
            let tau = try Correlation.kendallTauB(c.x, c.y)
            #expect(abs(r - c.pearson) <= 1e-12, "\(c.name) pearson \(r) vs \(c.pearson)")
            #expect(abs(rho - c.spearman) <= 1e-12, "\(c.name) spearman \(rho) vs \(c.spearman)")
            #expect(abs(tau - c.kendall) <= 1e-12, "\(c.name) kendall \(tau) vs \(c.kendall)")
        }
    }

    @Test func kendallAgreesWithQuadraticCount() throws {
        // Knight's O(n log n) algorithm against the O(n²) definition, with many ties.
        var s = RandomStream(seed: 11)
        for _ in 0..<20 {
            let n = 2 + s.index(below: 60)
            let x = (0..<n).map { _ in Double(s.index(below: 5)) }
            let y = (0..<n).map { _ in Double(s.index(below: 4)) }
            var nc = 0, nd = 0, tx = 0, ty = 0
            for i in 0..<n {
                for j in (i + 1)..<n {
                    let a = (x[i] - x[j]).sign == .minus ? -1 : (x[i] == x[j] ? 0 : 1)
                    let b = (y[i] - y[j]).sign == .minus ? -1 : (y[i] == y[j] ? 0 : 1)
                    if a == 0 { tx += 1 }
                    if b == 0 { ty += 1 }
                    if a * b > 0 { nc += 1 } else if a * b < 0 { nd += 1 }
                }
            }
            let n0 = n * (n - 1) / 2
            let denominator = (Double(n0 - tx) * Double(n0 - ty)).squareRoot()
            let tau = try Correlation.kendallTauB(x, y)
            if denominator == 0 { #expect(tau.isNaN) } else {
                #expect(abs(tau - Double(nc - nd) / denominator) < 1e-14)
            }
        }
    }

    @Test func unequalLengthsThrow() {
        #expect(throws: StatisticsError.self) { try Correlation.spearman([1, 2, 3], [1, 2]) }
    }

    @Test func constantSampleGivesNaN() throws {
        #expect(try Correlation.pearson([1, 1, 1], [1, 2, 3]).isNaN)
        #expect(try Correlation.kendallTauB([1, 1, 1], [1, 2, 3]).isNaN)
    }
}
