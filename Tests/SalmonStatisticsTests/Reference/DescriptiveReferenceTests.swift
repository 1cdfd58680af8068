import Testing
import SalmonStatistics

/// Descriptive statistics, quantiles and ranks against numpy/scipy.
@Suite struct DescriptiveReferenceTests {
    struct DescriptiveCase: Decodable {
        var name: String
        var data: [Double]
        var mean: Double
        var variance: Double?
        var standardDeviation: Double?
        var median: Double
        var trimmedMean10: Double
        var trimmedMean25: Double
        var minimum: Double
        var maximum: Double
        var skewness: Double?
        var excessKurtosis: Double?
    }
    struct DescriptiveFile: Decodable { var cases: [DescriptiveCase] }

    @Test func descriptiveMatchesScipy() throws {
        for c in try Fixture.load("descriptive.json", as: DescriptiveFile.self).cases {
            #expect(close(Descriptive.mean(c.data), c.mean, 1e-13), "\(c.name) mean")
            if let v = c.variance { #expect(close(Descriptive.variance(c.data), v, 1e-11), "\(c.name) variance") }
            if let s = c.standardDeviation {
                #expect(close(Descriptive.standardDeviation(c.data), s, 1e-12), "\(c.name) sd")
            }
            #expect(Descriptive.median(c.data) == c.median, "\(c.name) median")
            #expect(close(Descriptive.trimmedMean(c.data, proportion: 0.1), c.trimmedMean10, 1e-13), "\(c.name) trim 0.1")
            #expect(close(Descriptive.trimmedMean(c.data, proportion: 0.25), c.trimmedMean25, 1e-13), "\(c.name) trim 0.25")
            #expect(Descriptive.minimum(c.data) == c.minimum && Descriptive.maximum(c.data) == c.maximum)
            if let g1 = c.skewness { #expect(close(Descriptive.skewness(c.data), g1, 1e-10), "\(c.name) skewness") }
            if let g2 = c.excessKurtosis {
                #expect(close(Descriptive.excessKurtosis(c.data), g2, 1e-10), "\(c.name) kurtosis")
            }
        }
    }

    struct QuantileCase: Decodable {
        var name: String
        var data: [Double]
        var probabilities: [Double]
        var types: [String: [Double]]
    }
    struct QuantileFile: Decodable { var cases: [QuantileCase] }

    @Test(arguments: QuantileMethod.allCases)
    func quantilesMatchNumpy(method: QuantileMethod) throws {
        for c in try Fixture.load("quantiles.json", as: QuantileFile.self).cases {
            let expected = try #require(c.types[String(method.rawValue)])
            let got = Quantile.quantiles(c.data, c.probabilities, method: method)
            #expect(maxDifference(got, expected) <= 1e-13, "\(c.name) type \(method.rawValue): \(got) vs \(expected)")
        }
    }

    struct RankCase: Decodable {
        var name: String
        var data: [Double]
        var average: [Double]
        var min: [Double]
        var max: [Double]
        var dense: [Double]
        var ordinal: [Double]
    }
    struct RankFile: Decodable { var cases: [RankCase] }

    @Test func ranksMatchScipy() throws {
        for c in try Fixture.load("ranks.json", as: RankFile.self).cases {
            #expect(Ranking.ranks(c.data, ties: .average) == c.average, "\(c.name)")
            #expect(Ranking.ranks(c.data, ties: .min) == c.min, "\(c.name)")
            #expect(Ranking.ranks(c.data, ties: .max) == c.max, "\(c.name)")
            #expect(Ranking.ranks(c.data, ties: .dense) == c.dense, "\(c.name)")
            #expect(Ranking.ranks(c.data, ties: .ordinal) == c.ordinal, "\(c.name)")
        }
    }
}
