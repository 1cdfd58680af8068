import Testing
import SalmonStatistics

/// Percentile, basic and BCa endpoints from a fixed set of replicates against
/// `scipy.stats.bootstrap` on the same replicates (fixture `bootstrap_intervals.json`).
@Suite struct BootstrapIntervalReferenceTests {
    struct Case: Decodable {
        var name: String
        var statistic: String
        var trim: Double?
        var data: [Double]
        var estimate: Double
        var replicates: [Double]
        var levels: [Double]
        var percentile: [[Double]]
        var basic: [[Double]]
        var bca: [[Double]]
        var standardError: Double
    }
    struct File: Decodable { var cases: [Case] }

    static func statistic(_ c: Case) -> BootstrapStatistic {
        switch c.statistic {
        case "mean": return .mean
        case "median": return .median
        case "std": return .standardDeviation
        case "var": return .variance
        default: return .trimmedMean(proportion: c.trim ?? 0.1)
        }
    }

    @Test func endpointsMatchScipyOnTheSameReplicates() throws {
        let file = try Fixture.load("bootstrap_intervals.json", as: File.self)
        #expect(file.cases.count >= 8)
        for c in file.cases {
            let statistic = Self.statistic(c)
            #expect(close(statistic.evaluate(c.data), c.estimate, 1e-12), "\(c.name): estimate")
            let result = BootstrapResult(estimate: c.estimate, replicates: c.replicates,
                                         jackknife: [statistic.jackknife(c.data)])
            #expect(close(result.standardError, c.standardError, 1e-12), "\(c.name): standard error")
            for (k, level) in c.levels.enumerated() {
                for (kind, expected) in [(BootstrapInterval.percentile, c.percentile[k]),
                                         (.basic, c.basic[k]), (.bca, c.bca[k])] {
                    let ci = try result.interval(kind, level: level)
                    #expect(close(ci.lower, expected[0], 1e-10) && close(ci.upper, expected[1], 1e-10),
                            "\(c.name) \(kind) \(level): \(ci) vs \(expected)")
                }
            }
        }
    }

    @Test func jackknifeMatchesDirectLeaveOneOut() {
        let data: [Double] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7]
        for statistic in [BootstrapStatistic.mean, .median, .standardDeviation, .variance, .trimmedMean(proportion: 0.2)] {
            let fast = statistic.jackknife(data)
            let direct = data.indices.map { i in
                statistic.evaluate(data.enumerated().filter { $0.offset != i }.map(\.element))
            }
            #expect(maxDifference(fast, direct) < 1e-12, "\(statistic)")
        }
    }

    /// The O(n) trimmed-mean jackknife against n direct trimmed means, for every size from 2 to 40,
    /// proportions where the cut changes between n and n − 1 and where nothing is cut, with ties.
    @Test func trimmedMeanJackknifeMatchesDirectLeaveOneOut() {
        var stream = RandomStream(seed: 3, path: ["trimmed-jackknife"])
        for n in 2...40 {
            let tied = n % 2 == 0
            let data: [Double] = (0..<n).map { _ in tied ? Double(stream.index(below: 5)) : stream.uniform() * 10 - 3 }
            for proportion in [0, 0.05, 0.1, 0.2, 0.25, 1.0 / 3, 0.45, 0.49] {
                let statistic = BootstrapStatistic.trimmedMean(proportion: proportion)
                let fast = statistic.jackknife(data)
                let direct = data.indices.map { i in
                    statistic.evaluate(data.enumerated().filter { $0.offset != i }.map(\.element))
                }
                #expect(fast.count == n)
                let bothNaN = zip(fast, direct).allSatisfy { $0.isNaN == $1.isNaN }
                #expect(bothNaN, "n = \(n), proportion \(proportion)")
                let finite = zip(fast, direct).filter { !$0.0.isNaN }
                #expect(maxDifference(finite.map(\.0), finite.map(\.1)) < 1e-12, "n = \(n), proportion \(proportion)")
            }
        }
    }
}
