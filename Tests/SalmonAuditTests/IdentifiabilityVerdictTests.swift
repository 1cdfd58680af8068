import Foundation
import SalmonAudit
import SalmonStatistics
import Testing

/// The verdict rule on constructed counts, at the edges where exact Clopper–Pearson bounds decide,
/// and the seed-pair bootstrap's handling of repeated seeds.
@Suite struct IdentifiabilityVerdictTests {
    typealias Rule = IdentifiabilityVerdictRule

    /// "Identifiable at tolerance 0.05" (fraction with > 1 perfect circuit ≤ 0.05) with no network
    /// having a second perfect circuit: the one-sided 95 % upper bound is 1 − 0.05^(1/n), below
    /// 0.05 from n = 59 (0.04951) and not at n = 58 (0.05035).
    @Test func identifiableNeedsFiftyNineCleanSeeds() throws {
        let (at59, ci59) = try Rule.binomial(successes: 0, trials: 59, comparison: .atMost, threshold: 0.05, alpha: 0.05)
        #expect(at59 == .supported)
        #expect(abs((ci59?.upper ?? 1) - (1 - pow(0.05, 1.0 / 59))) < 1e-9 && ci59?.level == 0.9)
        let (at58, ci58) = try Rule.binomial(successes: 0, trials: 58, comparison: .atMost, threshold: 0.05, alpha: 0.05)
        #expect(at58 == .inconclusive)
        #expect(abs((ci58?.upper ?? 0) - (1 - pow(0.05, 1.0 / 58))) < 1e-9)
        // One network with two perfect circuits out of 59 is no longer enough.
        #expect(try Rule.binomial(successes: 1, trials: 59, comparison: .atMost, threshold: 0.05, alpha: 0.05).0 == .inconclusive)
    }

    /// "Not identifiable" (fraction ≥ 0.05) with every network having several perfect circuits:
    /// the lower bound is 0.05^(1/n); n = 2 gives 0.2236 > 0.05, n = 1 gives exactly 0.05 — a tie,
    /// which is not evidence.
    @Test func notIdentifiableAndTies() throws {
        let (two, ci) = try Rule.binomial(successes: 2, trials: 2, comparison: .atLeast, threshold: 0.05, alpha: 0.05)
        #expect(two == .supported && abs((ci?.lower ?? 0) - 0.05.squareRoot()) < 1e-9)
        let (one, ciOne) = try Rule.binomial(successes: 1, trials: 1, comparison: .atLeast, threshold: 0.05, alpha: 0.05)
        #expect(abs((ciOne?.lower ?? 0) - 0.05) < 1e-12)
        #expect(one == .inconclusive || (ciOne?.lower ?? 0) > 0.05)
        // The identifiable claim on the same data is contradicted.
        #expect(try Rule.binomial(successes: 4, trials: 4, comparison: .atMost, threshold: 0.05, alpha: 0.05).0 == .contradicted)
        // No converged network: no interval, inconclusive.
        let none = try Rule.binomial(successes: 0, trials: 0, comparison: .atLeast, threshold: 0.05, alpha: 0.05)
        #expect(none.0 == .inconclusive && none.1 == nil)
    }

    @Test func boundsAgainstAThreshold() {
        func v(_ lo: Double, _ hi: Double, _ c: IdentifiabilityClaimSpec.Comparison, _ x: Double) -> IdentifiabilityVerdict {
            Rule.verdict(interval: ConfidenceInterval(lower: lo, upper: hi, level: 0.9), comparison: c, threshold: x)
        }
        #expect(v(2, 8, .atMost, 10) == .supported)
        #expect(v(2, 10, .atMost, 10) == .inconclusive)   // the bound touches the threshold
        #expect(v(11, 20, .atMost, 10) == .contradicted)
        #expect(v(11, 20, .atLeast, 10) == .supported)
        #expect(v(2, 8, .atLeast, 10) == .contradicted)
        #expect(v(8, 12, .atLeast, 10) == .inconclusive)
        #expect(v(.nan, 12, .atLeast, 10) == .inconclusive)
        #expect(Rule.verdict(interval: nil, comparison: .atMost, threshold: 1) == .inconclusive)
    }

    /// v(a, b) = a + b on three seeds: the estimate is the mean over the three pairs; a resample
    /// holding seed 0 twice and seed 1 once averages v(0, 1) over its two cross pairs; a resample of
    /// one seed is undefined.
    /// Calibration of claims against a null: with trained and null values exchangeable (both
    /// groups Exp(1), 10 and 8 networks), the rule says *supported* and *contradicted* each at a
    /// rate inside the binomial 99.9 % band of α = 0.05 over 1,000 seeded experiments (the Monte
    /// Carlo permutation test has exact size with p = (1 + b)/(1 + B), B = 199); under a shift of
    /// 2 in the claimed direction it is supported in at least 95 % of them; it never says both.
    @Test func againstANullIsCalibrated() throws {
        var stream = RandomStream(seed: 17, path: ["identifiability-null-calibration"])
        func exponential(_ n: Int, shift: Double = 0) -> [Double] { (0..<n).map { _ in -log(1 - stream.uniform()) + shift } }
        var supported = 0, contradicted = 0, powered = 0
        for r in 0..<1000 {
            let test = try PermutationTest(resamples: 199, seed: 3, path: ["calibration", .index(r)], workers: 1)
            let null = try Rule.againstNull(trained: exponential(10), null: exponential(8), direction: .greater, alpha: 0.05, test: test)
            if null.verdict == .supported { supported += 1 }
            if null.verdict == .contradicted { contradicted += 1 }
            #expect((null.pValue ?? 0) + (null.opposite ?? 0) > 1)
            let shifted = try Rule.againstNull(trained: exponential(10, shift: 2), null: exponential(8), direction: .greater, alpha: 0.05, test: test)
            if shifted.verdict == .supported { powered += 1 }
        }
        let band = BinomialDistribution.centralBand(level: 0.999, trials: 1000, probability: 0.05)
        #expect(band.contains(supported), "supported \(supported) of 1000, band \(band)")
        #expect(band.contains(contradicted), "contradicted \(contradicted) of 1000, band \(band)")
        #expect(powered >= 950, "supported under the shift \(powered) of 1000")
        // Fewer than two networks in a group: no test, inconclusive.
        let test = try PermutationTest(resamples: 199, seed: 3, workers: 1)
        let few = try Rule.againstNull(trained: [1, 2, 3], null: [4], direction: .less, alpha: 0.05, test: test)
        #expect(few.verdict == .inconclusive && few.pValue == nil && few.difference == -2)
    }

    @Test func seedPairBootstrapResamplesSeeds() throws {
        let v: [[Double]] = (0..<3).map { a in (0..<3).map { b in Double(a + b) } }
        let pairs = SeedPairBootstrap(values: v)
        #expect(pairs.estimate == (1.0 + 2.0 + 3.0) / 3)
        let result = try pairs.run(Bootstrap(resamples: 500, seed: 7, path: ["pairs"], workers: 1))
        #expect(result.estimate == 2)
        // Every replicate is an average of pair values in [1, 3], or NaN when one seed was drawn thrice.
        #expect(result.replicates.allSatisfy { $0.isNaN || (1...3).contains($0) })
        let nan = result.replicates.filter(\.isNaN).count
        #expect((28...84).contains(nan), "\(nan)")   // P = 3/27 per replicate: 55.6 expected of 500, binomial sd 7.0 (±4 sd)
        #expect(SeedPairBootstrap(values: [[0]]).estimate.isNaN)
    }
}
