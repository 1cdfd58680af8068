import Foundation
import Testing
import SalmonStatistics

/// ``SequentialMonteCarloTest``: its p-values against the null law of every path, enumerated by
/// brute force; its reduction to (1 + b)/(1 + M); its size under a true null, alone and with Holm
/// over several tests (seeded simulations judged by the central 99.9 % binomial band); and the
/// draws it uses when the answer is clear.
@Suite struct SequentialMonteCarloTestTests {
    /// Every path of the design, enumerated: under the null, u ~ Uniform(0, 1) and, given u, the
    /// draws reach the observed value independently with probability u, so a path with b extreme
    /// draws among n has probability ∫ u^b (1 − u)^(n − b) du = b! (n − b)! / (n + 1)!.
    static func law(_ design: SequentialMonteCarloTest) -> [SequentialMonteCarloTest.Outcome: Double] {
        var law: [SequentialMonteCarloTest.Outcome: Double] = [:]
        func visit(_ path: [Bool]) {
            if let o = design.outcome(of: path) {
                let n = path.count, b = path.filter { $0 }.count
                let p = exp(lgamma(Double(b + 1)) + lgamma(Double(n - b + 1)) - lgamma(Double(n + 2)))
                var key = o
                key.pValue = 0
                law[key, default: 0] += p
                return
            }
            visit(path + [true])
            visit(path + [false])
        }
        visit([])
        return law
    }

    /// The outcomes from most to least extreme: rejection; the maximum with b ascending;
    /// acceptance with n descending.
    static func rank(_ o: SequentialMonteCarloTest.Outcome) -> (Int, Int) {
        switch o.stop {
        case .rejection: (0, 0)
        case .maximum: (1, o.extremeCount)
        case .acceptance: (2, -o.draws)
        }
    }

    @Test(arguments: [(12, 3, Optional(5)), (12, 3, nil), (12, 1, Optional(4)), (10, 10, Optional(3)), (11, 4, Optional(1)), (9, 9, nil)])
    func pValuesAreTheNullProbabilityOfAnOutcomeAtLeastAsExtreme(maxDraws: Int, h: Int, r: Int?) throws {
        let design = try SequentialMonteCarloTest(maxDraws: maxDraws, exceedances: h, rejectionDraws: r)
        let law = Self.law(design)
        #expect(abs(law.values.reduce(0, +) - 1) < 1e-12)
        for (outcome, _) in law {
            let atLeast = law.filter { Self.rank($0.key) <= Self.rank(outcome) }.values.reduce(0, +)
            let p = design.pValue(outcome.stop, draws: outcome.draws, extremeCount: outcome.extremeCount)
            #expect(abs(p - atLeast) < 1e-12, "\(outcome): p = \(p), null probability of as extreme = \(atLeast)")
        }
    }

    @Test func withoutEarlyStopsItIsTheOrdinaryMonteCarloPValue() throws {
        let design = try SequentialMonteCarloTest(maxDraws: 99, exceedances: 99)
        for b in 0..<99 {
            let path = (0..<99).map { $0 < b }
            let o = try #require(design.outcome(of: path))
            #expect(o.stop == .maximum && o.draws == 99 && o.extremeCount == b)
            #expect(abs(o.pValue - Double(b + 1) / 100) < 1e-15)
        }
        #expect(design.outcome(of: [Bool](repeating: true, count: 99))?.pValue == 1)
        #expect(design.outcome(of: [Bool](repeating: false, count: 98)) == nil, "a sequence that ends before the design stops has no outcome")
        // Without an early rejection, "rejection" is the maximum with no extreme draw.
        #expect(design.pValue(.rejection, draws: 50, extremeCount: 0) == 0.01)
        #expect(design.pValue(.maximum, draws: 99, extremeCount: -3) == 0.01)
    }

    @Test func drawsUntilAPossibleStop() throws {
        let design = try SequentialMonteCarloTest(maxDraws: 999, exceedances: 10, rejectionDraws: 359)
        #expect(design.drawsUntilPossibleStop(draws: 0, extremeCount: 0) == 10)
        #expect(design.drawsUntilPossibleStop(draws: 100, extremeCount: 0) == 10)
        #expect(design.drawsUntilPossibleStop(draws: 355, extremeCount: 0) == 4)
        #expect(design.drawsUntilPossibleStop(draws: 359, extremeCount: 0) == 0)
        #expect(design.drawsUntilPossibleStop(draws: 400, extremeCount: 3) == 7)
        #expect(design.drawsUntilPossibleStop(draws: 995, extremeCount: 3) == 4)
        #expect(design.drawsUntilPossibleStop(draws: 50, extremeCount: 10) == 0)
    }

    /// Draws one test's path under the null: u uniform, then Bernoulli(u) draws until it stops.
    static func nullOutcome(_ design: SequentialMonteCarloTest, _ s: inout RandomStream, u fixed: Double? = nil) -> SequentialMonteCarloTest.Outcome {
        let u = fixed ?? s.uniform()
        var path: [Bool] = []
        while true {
            path.append(s.uniform() < u)
            if let o = design.outcome(of: path) { return o }
        }
    }

    @Test func aSingleTestHasItsSizeUnderTheNull() throws {
        let design = try SequentialMonteCarloTest(maxDraws: 999, exceedances: 10, rejectionDraws: 99)
        let simulations = 4000
        var rejections = 0, early = 0, draws = 0
        for r in 0..<simulations {
            var s = RandomStream(seed: 7, path: ["calibration", "sequential-monte-carlo", "single", .index(r)])
            let o = Self.nullOutcome(design, &s)
            if o.pValue <= 0.05 { rejections += 1 }
            if o.pValue <= 0.01 { early += 1 }
            draws += o.draws
        }
        // Attainable: 1/100 is a p-value of the design, so P(p ≤ 0.01) = 0.01 exactly; P(p ≤ 0.05) ≤ 0.05.
        #expect(BinomialDistribution.centralBand(level: 0.999, trials: simulations, probability: 0.01).contains(early), "\(early) of \(simulations) at p ≤ 0.01")
        #expect(rejections <= BinomialDistribution.centralBand(level: 0.999, trials: simulations, probability: 0.05).upperBound,
                "\(rejections) of \(simulations) at p ≤ 0.05")
        #expect(rejections >= BinomialDistribution.centralBand(level: 0.999, trials: simulations, probability: 0.04).lowerBound,
                "\(rejections) of \(simulations): far below the nominal rate")
        // Under the null u is uniform: most tests stop for acceptance within a few dozen draws.
        #expect(Double(draws) / Double(simulations) < 120, "mean draws \(Double(draws) / Double(simulations))")
    }

    /// Ten tests, all null, each its own sequential design with r = 199, the Holm threshold
    /// α/10 = 0.005 at p = 1/200: the family-wise error stays at most α.
    @Test func holmOverSequentialTestsKeepsTheFamilyWiseError() throws {
        let m = 10
        let design = try SequentialMonteCarloTest(maxDraws: 999, exceedances: 10, rejectionDraws: 199)
        let simulations = 2000
        var familyErrors = 0
        for r in 0..<simulations {
            var s = RandomStream(seed: 7, path: ["calibration", "sequential-monte-carlo", "holm", .index(r)])
            let p = (0..<m).map { _ in Self.nullOutcome(design, &s).pValue }
            if try MultipleTesting.adjust(p, method: .holm, alpha: 0.05).reject.contains(true) { familyErrors += 1 }
        }
        // Each test rejects at p ≤ 0.005 only (1/200 is its smallest p beyond the maximum's): P = 0.005 each.
        let expected = 1 - pow(1 - 0.005, Double(m))
        #expect(BinomialDistribution.centralBand(level: 0.999, trials: simulations, probability: expected).contains(familyErrors),
                "\(familyErrors) of \(simulations) family-wise errors, expected about \(Int(expected * Double(simulations)))")
    }

    /// A clear alternative (the observed value beyond every null value) stops for rejection at r; a
    /// clear null (half the draws reach it) stops for acceptance after about h / 0.5 = 20 draws.
    @Test func clearAnswersStopEarly() throws {
        let design = try SequentialMonteCarloTest(maxDraws: 9999, exceedances: 10, rejectionDraws: 359)
        var s = RandomStream(seed: 7, path: ["calibration", "sequential-monte-carlo", "clear"])
        let alternative = (0..<500).map { _ in Self.nullOutcome(design, &s, u: 0) }
        #expect(alternative.allSatisfy { $0.stop == .rejection && $0.draws == 359 && abs($0.pValue - 1.0 / 360) < 1e-15 })
        let null = (0..<500).map { _ in Self.nullOutcome(design, &s, u: 0.5) }
        let mean = Double(null.map(\.draws).reduce(0, +)) / 500
        #expect(null.allSatisfy { $0.stop == .acceptance } && abs(mean - 20) < 1.5, "mean draws \(mean) for a clear null")
        #expect(null.allSatisfy { $0.pValue > 0.2 })
    }
}
