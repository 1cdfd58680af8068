import Foundation
import SalmonAudit
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// Calibration of the whole audit: when the "trained" model is itself one more random-init draw,
/// the audit must call it distinguishable at α = 0.05 about 5 % of the time — the promise behind
/// every verdict of "distinguishable".
///
/// With K = 19 null models and one test, "distinguishable" means b = 0 (p = 1/20 = α) and the
/// trained model, being exchangeable with its nulls, comes first with probability exactly 1/20
/// for a continuous statistic. The PCA–label correlation is continuous; probe accuracy on 150
/// rows takes 151 values and ties count against distinguishability, so its rate can only be lower.
@Suite struct AuditCalibrationTests {
    func rate(method: String, statistic: String? = nil, hidden: Int = 6, repetitions: Int) async throws -> Int {
        var distinguishable = 0
        for r in 0..<repetitions {
            let spec = try OneMoreNullDraw.calibrationSpec(seed: UInt64(1000 + r), method: method, K: 19, statistic: statistic, hidden: hidden)
            let subject = OneMoreNullDraw(base: try NetworkSubject(spec: spec), index: 19)
            let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
            if result.tests[0].verdict == .distinguishable { distinguishable += 1 }
        }
        return distinguishable
    }

    @Test func aRandomInitTrainedModelIsDistinguishableFivePercentOfTheTime() async throws {
        let n = 400
        let band = BinomialDistribution.centralBand(level: 0.999, trials: n, probability: 0.05)
        let pca = try await rate(method: "{name: pca-label-correlation, components: 3}", repetitions: n)
        #expect(band.contains(pca), "PCA–label correlation: \(pca) of \(n) distinguishable, 99.9 % band \(band)")
        let probe = try await rate(method: "{name: logistic-probe, folds: 3}", repetitions: n)
        #expect(probe <= band.upperBound, "probe accuracy: \(probe) of \(n) distinguishable, above the band \(band)")
        print("calibration: PCA \(pca)/\(n), probe \(probe)/\(n), 99.9 % band for 5 %: \(band)")
    }

    /// The activation-statistics family: the mean activation is continuous (two-sided band). The
    /// dead-unit fraction is tested in the `less` direction on a 64-unit layer at threshold 0.8,
    /// where random-init networks have 25–41 dead units (so the statistic varies); it takes 65
    /// values and ties count against the claim, so its rate can only be lower than 5 %.
    @Test func activationStatisticsOfARandomInitTrainedModelAreDistinguishableFivePercentOfTheTime() async throws {
        let n = 400
        let band = BinomialDistribution.centralBand(level: 0.999, trials: n, probability: 0.05)
        let mean = try await rate(method: "{name: activation-statistics}", statistic: "meanActivation", repetitions: n)
        #expect(band.contains(mean), "mean activation: \(mean) of \(n) distinguishable, 99.9 % band \(band)")
        let dead = try await rate(method: "{name: activation-statistics, threshold: 0.8}", statistic: "deadUnitFraction", hidden: 64,
                                  repetitions: n)
        #expect(dead <= band.upperBound, "dead-unit fraction: \(dead) of \(n) distinguishable, above the band \(band)")
        print("calibration: mean activation \(mean)/\(n), dead-unit fraction \(dead)/\(n), 99.9 % band for 5 %: \(band)")
    }
}
