import Testing
import SalmonStatistics

/// Clopper–Pearson intervals, exact permutation p-values and effect sizes against
/// statsmodels/scipy.
@Suite struct TestingReferenceTests {
    struct CPCase: Decodable { var count: Int; var total: Int; var level: Double; var lower: Double; var upper: Double }
    struct CPFile: Decodable { var cases: [CPCase] }

    @Test func clopperPearsonMatchesStatsmodels() throws {
        let file = try Fixture.load("clopper_pearson.json", as: CPFile.self)
        for c in file.cases {
            let ci = try ClopperPearson.interval(successes: c.count, trials: c.total, level: c.level)
            #expect(abs(ci.lower - c.lower) <= 1e-12 && abs(ci.upper - c.upper) <= 1e-12,
                    "\(c.count)/\(c.total) at \(c.level): \(ci) vs [\(c.lower), \(c.upper)]")
        }
    }

    struct PermutationCase: Decodable {
        var name: String
        var a: [Double]
        var b: [Double]
        var statistic: Double
        var exact: Bool
        var nullSize: Int
        var pValue: [String: Double]
    }
    struct PermutationFile: Decodable { var independent: [PermutationCase]; var paired: [PermutationCase] }

    @Test func exactPermutationPValuesMatchScipy() throws {
        let file = try Fixture.load("permutation_tests.json", as: PermutationFile.self)
        let test = try PermutationTest(resamples: 1 << 20, seed: 1)
        for (cases, paired) in [(file.independent, false), (file.paired, true)] {
            for c in cases {
                for alternative in Alternative.allCases {
                    let r = paired ? try test.paired(c.a, c.b, alternative: alternative)
                                   : try test.independent(c.a, c.b, alternative: alternative)
                    let expected = try #require(c.pValue[alternative.rawValue])
                    #expect(r.isExact && r.test.nullCount == c.nullSize, "\(c.name)")
                    #expect(abs(r.pValue - expected) <= 1e-12, "\(c.name) \(alternative): \(r.pValue) vs \(expected)")
                    #expect(abs(r.statistic - c.statistic) <= 1e-12, "\(c.name) statistic")
                }
            }
        }
    }

    struct TwoSampleCase: Decodable {
        var name: String
        var x: [Double]
        var y: [Double]
        var cohensD: Double?
        var hedgesG: Double?
        var cliffsDelta: Double
        var auroc: Double
    }
    struct NullCase: Decodable { var name: String; var observed: Double; var null: [Double]; var z: Double }
    struct EffectFile: Decodable { var twoSample: [TwoSampleCase]; var againstNull: [NullCase] }

    @Test func effectSizesMatchReference() throws {
        let file = try Fixture.load("effect_sizes.json", as: EffectFile.self)
        for c in file.twoSample {
            if let d = c.cohensD { #expect(close(try EffectSize.cohensD(c.x, c.y), d, 1e-12), "\(c.name) d") }
            if let g = c.hedgesG { #expect(close(try EffectSize.hedgesG(c.x, c.y), g, 1e-12), "\(c.name) g") }
            #expect(abs(try EffectSize.cliffsDelta(c.x, c.y) - c.cliffsDelta) <= 1e-12, "\(c.name) delta")
            #expect(abs(try EffectSize.auroc(c.x, c.y) - c.auroc) <= 1e-12, "\(c.name) auroc")
        }
        for c in file.againstNull {
            #expect(close(try EffectSize.standardizedDistance(c.observed, from: c.null), c.z, 1e-12), "\(c.name) z")
        }
    }
}
