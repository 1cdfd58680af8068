import Foundation
import Testing
import SalmonStatistics

/// Adjusted p-values against statsmodels' `multipletests` (fixture `multiple_testing.json`).
@Suite struct MultipleTestingReferenceTests {
    struct Case: Decodable {
        struct Result: Decodable { var adjusted: [Double]; var reject: [Bool] }
        var name: String
        var alpha: Double
        var pvalues: [Double]
        var methods: [String: Result]
    }
    struct File: Decodable { var cases: [Case] }

    @Test(arguments: MultipleTestingMethod.allCases)
    func adjustedValuesMatchStatsmodels(method: MultipleTestingMethod) throws {
        let file = try Fixture.load("multiple_testing.json", as: File.self)
        #expect(file.cases.contains { $0.pvalues.count == 1 })
        #expect(file.cases.contains { $0.pvalues.count == 1000 })
        for c in file.cases {
            let expected = try #require(c.methods[method.rawValue], "fixture lacks \(method.rawValue)")
            let result = try MultipleTesting.adjust(c.pvalues, method: method, alpha: c.alpha)
            #expect(result.adjusted.count == expected.adjusted.count)
            let worst = maxDifference(result.adjusted, expected.adjusted)
            #expect(worst <= 1e-12, "\(c.name) \(method.rawValue): max difference \(worst)")
            #expect(result.reject == expected.reject, "\(c.name) \(method.rawValue): reject decisions differ")
        }
    }

    /// Hommel's O(m log m) algorithm against statsmodels' O(m²) loop on m = 3,000 p-values with
    /// heavy ties, zeros, ones and tiny values (fixture `hommel_large.json`).
    @Test func hommelOnALargeTiedFamilyMatchesStatsmodels() throws {
        struct Large: Decodable {
            struct Case: Decodable { var alpha: Double; var adjusted: [Double]; var reject: [Bool] }
            var pvalues: [Double]
            var cases: [Case]
        }
        let file = try Fixture.load("hommel_large.json", as: Large.self)
        #expect(file.pvalues.count == 3000)
        for c in file.cases {
            let result = try MultipleTesting.adjust(file.pvalues, method: .hommel, alpha: c.alpha)
            let worst = maxDifference(result.adjusted, c.adjusted)
            #expect(worst <= 1e-12, "alpha \(c.alpha): max difference \(worst)")
            #expect(result.reject == c.reject)
            #expect(c.reject.contains(true) && c.reject.contains(false))
        }
    }

    /// Hommel against Wright's (1992) definition evaluated directly in O(m²), on random families
    /// of every size from 1 to 60 and some larger ones, with and without ties.
    @Test func hommelMatchesWrightsDefinition() throws {
        func wright(_ p: [Double]) -> [Double] {
            let m = p.count
            let order = (0..<m).sorted { p[$0] < p[$1] || (p[$0] == p[$1] && $0 < $1) }
            let sorted = order.map { p[$0] }
            var a = sorted
            for k in stride(from: m, to: 1, by: -1) {
                var c = Double.infinity
                for j in 1...k { c = min(c, Double(k) * sorted[m - k + j - 1] / Double(j)) }
                for i in (m - k)..<m { a[i] = max(a[i], c) }
                for i in 0..<(m - k) { a[i] = max(a[i], min(Double(k) * sorted[i], c)) }
            }
            var out = [Double](repeating: 0, count: m)
            for (rank, i) in order.enumerated() { out[i] = min(1, a[rank]) }
            return out
        }
        var stream = RandomStream(seed: 11, path: ["hommel-wright"])
        let sizes = Array(1...60) + [257, 1024, 2049]
        for (n, m) in sizes.enumerated() {
            let p: [Double] = (0..<m).map { _ in
                let u = pow(stream.uniform(), n % 2 == 0 ? 1 : 5)
                return n % 3 == 0 ? (u * 20).rounded() / 20 : u
            }
            let result = try MultipleTesting.adjust(p, method: .hommel).adjusted
            let worst = maxDifference(result, wright(p))
            #expect(worst <= 1e-12, "m = \(m): max difference \(worst)")
        }
    }

    /// A family large enough for the two-thread path (sorting, gathering and scattering in two
    /// halves): Benjamini–Hochberg against its definition, p₍ᵢ₎ · m / i cumulatively minimized from
    /// the top, computed here directly; ties included.
    @Test func largeFamiliesMatchTheDefinition() throws {
        let m = 200_003
        var stream = RandomStream(seed: 5, path: ["bh-large"])
        let p: [Double] = (0..<m).map { i in i % 3 == 0 ? Double(stream.index(below: 500)) / 1000 : pow(stream.uniform(), 4) }
        let result = try MultipleTesting.adjust(p, method: .benjaminiHochberg, alpha: 0.05)
        let order = (0..<m).sorted { p[$0] < p[$1] || (p[$0] == p[$1] && $0 < $1) }
        var expected = [Double](repeating: 0, count: m), running = Double.infinity
        var last = -1
        for rank in stride(from: m - 1, through: 0, by: -1) {
            let value = p[order[rank]]
            running = min(running, value / (Double(rank + 1) / Double(m)))
            expected[order[rank]] = min(1, running)
            if last < 0 && value <= Double(rank + 1) / Double(m) * 0.05 { last = rank }
        }
        #expect(maxDifference(result.adjusted, expected) == 0)
        var reject = [Bool](repeating: false, count: m)
        if last >= 0 { for rank in 0...last { reject[order[rank]] = true } }
        #expect(result.reject == reject)
        #expect(reject.contains(true) && reject.contains(false))
    }

    @Test func tiedPValuesGetEqualAdjustments() throws {
        let p = [0.01, 0.02, 0.02, 0.02, 0.5, 0.01]
        for method in MultipleTestingMethod.allCases {
            let a = try MultipleTesting.adjust(p, method: method).adjusted
            #expect(a[1] == a[2] && a[2] == a[3], "\(method)")
            #expect(a[0] == a[5], "\(method)")
        }
    }

    @Test func rejectsInvalidInput() {
        #expect(throws: StatisticsError.self) { try MultipleTesting.adjust([0.1, 1.2], method: .holm) }
        #expect(throws: StatisticsError.self) { try MultipleTesting.adjust([0.1, .nan], method: .bonferroni) }
        #expect(throws: StatisticsError.self) { try MultipleTesting.adjust([0.1], method: .holm, alpha: 1) }
        let error = #expect(throws: StatisticsError.self) { try MultipleTesting.adjust([0.1, -0.5], method: .benjaminiHochberg) }
        #expect(error?.description.contains("index 1") == true)
    }

    @Test func emptyFamilyIsEmpty() throws {
        let r = try MultipleTesting.adjust([], method: .hommel)
        #expect(r.adjusted.isEmpty && r.reject.isEmpty)
    }
}
