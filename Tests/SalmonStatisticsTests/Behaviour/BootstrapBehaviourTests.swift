import Testing
import SalmonStatistics

/// Determinism, the fast path, degenerate data and validation of the bootstrap.
@Suite struct BootstrapBehaviourTests {
    static let data: [Double] = {
        var s = RandomStream(seed: 99, path: ["data"])
        return (0..<137).map { _ in s.exponential() }
    }()

    @Test func replicatesDoNotDependOnWorkerCount() throws {
        let one = try Bootstrap(resamples: 501, seed: 4, workers: 1).mean(Self.data)
        for workers in [2, 3, 7] {
            let many = try Bootstrap(resamples: 501, seed: 4, workers: workers).mean(Self.data)
            #expect(one.replicates == many.replicates, "workers \(workers)")
        }
        let medianOne = try Bootstrap(resamples: 301, seed: 4, workers: 1).run(Self.data, statistic: .median)
        let medianTwo = try Bootstrap(resamples: 301, seed: 4, workers: 2).run(Self.data, statistic: .median)
        #expect(medianOne.replicates == medianTwo.replicates)
    }

    @Test func fewerResamplesArePrefixOfMore() throws {
        let short = try Bootstrap(resamples: 100, seed: 8).mean(Self.data)
        let long = try Bootstrap(resamples: 400, seed: 8).mean(Self.data)
        #expect(short.replicates == Array(long.replicates.prefix(100)))
    }

    @Test func seedAndPathChangeTheReplicates() throws {
        let a = try Bootstrap(resamples: 50, seed: 1).mean(Self.data)
        let b = try Bootstrap(resamples: 50, seed: 2).mean(Self.data)
        let c = try Bootstrap(resamples: 50, seed: 1, path: ["other"]).mean(Self.data)
        #expect(a.replicates != b.replicates && a.replicates != c.replicates)
        #expect(a.provenance?.seed == 1 && a.provenance?.streamPath == "bootstrap")
        #expect(a.provenance?.generator == "xoshiro256**")
    }

    /// The fast mean path draws the same indices as the general path, so the replicates agree to rounding.
    @Test func fastMeanPathAgreesWithGeneralPath() throws {
        let plan = try Bootstrap(resamples: 200, seed: 12)
        let fast = try plan.mean(Self.data)
        let general = try plan.run(Self.data) { Descriptive.mean(UnsafeBufferPointer($0)) }
        #expect(maxDifference(fast.replicates, general.replicates) < 1e-13)
        let byIndex = try plan.run(count: Self.data.count) { idx in
            idx.reduce(0.0) { $0 + Self.data[$1] } / Double(idx.count)
        }
        #expect(abs(byIndex.estimate - fast.estimate) < 1e-13)
        #expect(abs(byIndex.acceleration - fast.acceleration) < 1e-10)
    }

    @Test func intervalsAreOrderedAndRecomputable() throws {
        let r = try Bootstrap(resamples: 999, seed: 3).mean(Self.data)
        for kind in BootstrapInterval.allCases {
            let ci90 = try r.interval(kind, level: 0.90)
            let ci99 = try r.interval(kind, level: 0.99)
            #expect(ci90.lower < ci90.upper)
            #expect(ci99.lower <= ci90.lower && ci99.upper >= ci90.upper, "\(kind)")
            #expect(try r.interval(kind, level: 0.90) == ci90)
        }
        // The percentile interval is the type-7 quantiles of the replicates.
        let p = try r.interval(.percentile, level: 0.9)
        #expect(p.lower == Quantile.quantile(r.replicates, (1 - 0.9) / 2) && p.upper == Quantile.quantile(r.replicates, 1 - (1 - 0.9) / 2))
        #expect(abs(r.standardError - Descriptive.standardDeviation(r.replicates)) == 0)
    }

    @Test func degenerateDataIsReportedNotCrashed() throws {
        let r = try Bootstrap(resamples: 99, seed: 1).mean([2, 2, 2, 2])
        #expect(!r.diagnostics.isEmpty)
        #expect(try r.interval(.bca).isDetermined == false)
        #expect(try r.interval(.percentile) == ConfidenceInterval(lower: 2, upper: 2, level: 0.95))
        let single = try Bootstrap(resamples: 9, seed: 1).mean([5])
        #expect(single.acceleration.isNaN)
    }

    @Test func invalidArgumentsThrowNamingTheParameter() throws {
        #expect(throws: StatisticsError("resamples", expected: "at least 1, found 0")) {
            try Bootstrap(resamples: 0, seed: 1)
        }
        let e = #expect(throws: StatisticsError.self) { try Bootstrap(resamples: 9, seed: 1).mean([1, .nan]) }
        #expect(e?.description.contains("index 1") == true)
        #expect(throws: StatisticsError.self) { try Bootstrap(resamples: 9, seed: 1).mean([]) }
        #expect(throws: StatisticsError.self) { try Bootstrap(resamples: 9, seed: 1).run([1], statistic: .variance) }
        #expect(throws: StatisticsError.self) {
            try Bootstrap(resamples: 9, seed: 1).run([1, 2], statistic: .trimmedMean(proportion: 0.5))
        }
        let r = try Bootstrap(resamples: 9, seed: 1).mean([1, 2, 3])
        #expect(throws: StatisticsError.self) { try r.interval(.bca, level: 1) }
    }

    @Test func stratifiedKeepsStratumSizes() throws {
        // Two strata with very different means: every replicate has exactly 10 items from each, so
        // the overall mean can never leave [stratum-0 min + stratum-1 min, ...]/2 bounds.
        let scores = (0..<10).map { Double($0) } + (0..<10).map { 100 + Double($0) }
        let strata = Array(repeating: 0, count: 10) + Array(repeating: 1, count: 10)
        let r = try Bootstrap(resamples: 500, seed: 2).stratifiedMean(scores, strata: strata)
        #expect(r.replicates.allSatisfy { $0 >= 50 && $0 <= 59 })
        #expect(r.estimate == 54.5)
        let byIndex = try Bootstrap(resamples: 500, seed: 2).stratified(strata: strata) { idx in
            idx.reduce(0.0) { $0 + scores[$1] } / Double(idx.count)
        }
        #expect(byIndex.replicates.allSatisfy { $0 >= 50 && $0 <= 59 })
        #expect(throws: StatisticsError.self) { try Bootstrap(resamples: 5, seed: 1).stratifiedMean([1, 2], strata: [0]) }
    }

    @Test func twoLevelMeans() throws {
        let grid: [[Double]] = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]
        let crossed = try Bootstrap(resamples: 300, seed: 6).twoLevelMean(grid, design: .crossed)
        #expect(crossed.estimate == 6.5)
        #expect(crossed.provenance?.scheme == "two-level crossed")
        // Each replicate is a mean of values 1…12 with cluster multiplicities summing to 4.
        #expect(crossed.replicates.allSatisfy { $0 >= 1 && $0 <= 12 })
        #expect(Set(crossed.replicates).count > 50)
        #expect(!crossed.acceleration.isNaN)
        let nested = try Bootstrap(resamples: 300, seed: 6).twoLevelMean([[1, 2], [3, 4, 5, 6], [7]], design: .nested)
        #expect(abs(nested.estimate - 4) < 1e-15)
        #expect(throws: StatisticsError.self) {
            try Bootstrap(resamples: 5, seed: 1).twoLevelMean([[1, 2], [3]], design: .crossed)
        }
    }

    /// Scores with few distinct values take the multinomial-count path; its replicates follow the
    /// bootstrap distribution exactly: for 0/1 scores, n · replicate ~ Binomial(n, p̂).
    @Test func multinomialPathFollowsTheBootstrapDistribution() throws {
        let n = 640
        let scores = (0..<n).map { Double($0 % 5 == 0 ? 1 : 0) }  // p̂ = 0.2
        let r = try Bootstrap(resamples: 20_000, seed: 3).mean(scores)
        #expect(r.provenance?.scheme == "ordinary, multinomial over 2 distinct values")
        #expect(r.replicates.allSatisfy { ($0 * Double(n)).rounded() == $0 * Double(n) || abs($0 * Double(n) - ($0 * Double(n)).rounded()) < 1e-9 })
        let p = 0.2, sd = (p * (1 - p) / Double(n)).squareRoot()
        // Mean and SD of 20,000 replicates within 5 standard errors of the binomial's.
        #expect(abs(Descriptive.mean(r.replicates) - p) < 5 * sd / (20_000.0).squareRoot())
        #expect(abs(Descriptive.standardDeviation(r.replicates) / sd - 1) < 5 * (1 / (2 * 20_000.0)).squareRoot())
        // Three distinct values: mean and variance of the replicates against σ²/n.
        let three = (0..<n).map { Double($0 % 3) }
        let r3 = try Bootstrap(resamples: 20_000, seed: 4).mean(three)
        #expect(r3.provenance?.scheme == "ordinary, multinomial over 3 distinct values")
        let sd3 = (Descriptive.variance(three, ddof: 0) / Double(n)).squareRoot()
        #expect(abs(Descriptive.mean(r3.replicates) - Descriptive.mean(three)) < 5 * sd3 / (20_000.0).squareRoot())
        #expect(abs(Descriptive.standardDeviation(r3.replicates) / sd3 - 1) < 5 * (1 / (2 * 20_000.0)).squareRoot())
        // Continuous data takes the index path.
        #expect(try Bootstrap(resamples: 10, seed: 1).mean(Self.data).provenance?.scheme == "ordinary")
    }

    @Test func closedFormAccelerationEqualsJackknife() {
        let a = Jackknife.accelerationOfMean(Self.data)
        let b = Jackknife.acceleration(BootstrapStatistic.mean.jackknife(Self.data))
        #expect(abs(a - b) < 1e-12)
    }
}
