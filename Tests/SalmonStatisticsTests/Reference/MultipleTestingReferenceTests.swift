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
