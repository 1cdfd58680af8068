import Foundation
import SalmonAudit
import SalmonStatistics
import Testing

/// Planning K before any work: the smallest number of null draws at which a test can reach α
/// after the correction, against the closed forms.
@Suite struct AuditPowerPlanTests {
    /// Holm or Bonferroni over m tests: m/(B + 1) ≤ α, so B = ⌈m/α⌉ − 1 — 1,199 for 60 tests at
    /// 0.05 (the figure the issue quotes), 19 for one test, 159 for eight; Benjamini–Hochberg with
    /// every other p at 1 needs the same as Bonferroni; Šidák 1 − (1 − p)^m ≤ α needs slightly fewer.
    @Test func drawsNeededAgreeWithTheClosedForms() throws {
        typealias P = AuditPowerPlan
        #expect(try P.drawsNeeded(tests: 60, correction: .holm, alpha: 0.05) == 1199)
        #expect(try P.drawsNeeded(tests: 60, correction: .bonferroni, alpha: 0.05) == 1199)
        #expect(try P.drawsNeeded(tests: 60, correction: .benjaminiHochberg, alpha: 0.05) == 1199)
        #expect(try P.drawsNeeded(tests: 1, correction: .holm, alpha: 0.05) == 19)
        #expect(try P.drawsNeeded(tests: 8, correction: .holm, alpha: 0.05) == 159)
        #expect(try P.drawsNeeded(tests: 22, correction: .holm, alpha: 0.05) == 439)
        #expect(try P.drawsNeeded(tests: 10, correction: .holm, alpha: 0.01) == 999)
        // Šidák: 1/(B + 1) ≤ 1 − 0.95^(1/60) = 8.5451 · 10⁻⁴, B ≥ 1,169.3.
        #expect(try P.drawsNeeded(tests: 60, correction: .sidak, alpha: 0.05) == 1170)
        #expect(try P.drawsNeeded(tests: 0, correction: .holm, alpha: 0.05) == 0)
        // At all (every test at its minimum): Holm asks as much as alone; the step-up procedures
        // only 1/(B + 1) ≤ α.
        #expect(try P.drawsNeeded(tests: 60, correction: .holm, alpha: 0.05, othersAtMinimum: true) == 1199)
        #expect(try P.drawsNeeded(tests: 60, correction: .benjaminiHochberg, alpha: 0.05, othersAtMinimum: true) == 19)
        #expect(try P.drawsNeeded(tests: 60, correction: .hochberg, alpha: 0.05, othersAtMinimum: true) == 19)
    }

    /// The plan of the CI gate's spec: 2 claims at 2 sites against 2 families, 8 tests under Holm,
    /// one trained network (one model per draw), each needing 159 draws; K = 100 for the second
    /// family leaves its tests short.
    @Test func thePlanOfTheGateSpec() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Baselines/ci-probe.yaml").path
        let spec = try AuditSpec.parse(yaml: String(contentsOfFile: path, encoding: .utf8), file: "ci-probe.yaml")
        let plan = try AuditPowerPlan(spec: spec)
        #expect(plan.tests.count == 8)
        #expect(plan.tests.allSatisfy { $0.modelsPerDraw == 1 && $0.drawsNeeded == 159 && $0.kNeeded == 159 && $0.draws == $0.K })
        #expect(plan.tests.allSatisfy { $0.drawsNeededAtAll == 159 && $0.canReachAlpha && $0.canReachAlphaAlone })
        #expect(plan.underpowered.isEmpty)
        var small = spec
        small.nulls[1].K = 100
        let short = try AuditPowerPlan(spec: small)
        #expect(short.underpowered.map(\.family).allSatisfy { $0 == small.nulls[1].family } && !short.underpowered.isEmpty)
        // `salmon audit` refuses it, naming the family's K and the K its tests need, unless allowed.
        #expect(throws: Never.self) { try AuditPowerPlan.requirePower(spec, file: "s.yaml") }
        do {
            try AuditPowerPlan.requirePower(small, file: "s.yaml")
            Issue.record("an underpowered spec was not refused")
        } catch let error as SpecError {
            #expect(error.field == "nulls[1].K" && error.description.contains("expected at least 159 null models, found 100"), "\(error)")
            #expect(error.description.contains("allowUnderpowered: true") && !error.description.contains("\n"))
        }
        small.allowUnderpowered = true
        #expect(throws: Never.self) { try AuditPowerPlan.requirePower(small, file: "s.yaml") }
        // The key is written only when set: the spec's hash is unchanged without it.
        #expect(!String(decoding: spec.canonicalJSON(), as: UTF8.self).contains("allowUnderpowered"))
        #expect(String(decoding: small.canonicalJSON(), as: UTF8.self).contains("\"allowUnderpowered\":true"))
    }
}

/// The plan's power and time: the simulated power against exact binomial and path probabilities,
/// and the timing of one model per family.
@Suite struct MonteCarloPowerTests {
    static func spec(_ k: String, claims: Int = 3) throws -> AuditSpec {
        let names = ["a", "b", "c", "d"].prefix(claims)
        return try AuditSpec.parse(yaml: """
            name: power
            seed: 5
            model:
              task: planted-concepts
              taskOptions: {examples: 200, concepts: 2, dimension: 6, labelConcepts: [0], noise: 0.3}
              hidden: [6]
              training: {epochs: 2}
              evaluationExamples: 100
            claims:
            \(names.map { "  - {name: \($0), method: {name: pca-label-correlation, components: 2}}" }.joined(separator: "\n"))
            nulls:
              - {family: random-init, K: \(k)}
            """)
    }

    /// Alone, a fixed-K test of 3 under Holm at 0.05 is rejected when (b + 1)/(B + 1) ≤ 0.05/3, i.e.
    /// b ≤ 2 for B = 199: the power is P(Binomial(199, q) ≤ 2), q = 1 − Φ(z).
    @Test(arguments: [1.5, 2.5, 3.0])
    func fixedKPowerIsTheBinomialProbability(z: Double) throws {
        let spec = try Self.spec("199")
        let power = try MonteCarloPower.simulate(spec: spec, plan: try AuditPowerPlan(spec: spec), effect: z, replicates: 4000)
        let q = 1 - StandardNormal.cdf(z)
        let exact = BinomialDistribution.cdf(2, trials: 199, probability: q)
        let alone = try #require(power.families.first).alone
        let band = BinomialDistribution.centralBand(level: 0.999, trials: 4000, probability: exact)
        #expect(band.contains(Int((alone * 4000).rounded())), "z = \(z): simulated \(alone), exact \(exact)")
        #expect(power.families[0].together >= alone - 0.03, "together cannot be much below alone under Holm")
        #expect(power.families[0].expectedDraws == nil, "a fixed-K test uses all its draws")
        #expect(abs(power.reachProbability - q) < 1e-15)
    }

    /// Sequential: the power from the gap-by-gap path equals the one from drawing every draw and
    /// running the design (two simulations of one probability, within their binomial bands).
    @Test(arguments: [2.0, 2.6, 3.2])
    func sequentialPowerMatchesThePathDrawnDrawByDraw(z: Double) throws {
        let spec = try Self.spec("{max: 599, sequential: true, exceedances: 5}")
        let plan = try AuditPowerPlan(spec: spec)
        let power = try MonteCarloPower.simulate(spec: spec, plan: plan, effect: z, replicates: 4000)
        let design = try SequentialMonteCarloTest(maxDraws: 599, exceedances: 5, rejectionDraws: plan.tests[0].drawsNeeded)
        let q = 1 - StandardNormal.cdf(z)
        var rejected = 0
        for r in 0..<4000 {
            var s = RandomStream(seed: 9, path: ["power-check", .index(r)])
            var path: [Bool] = []
            var outcome: SequentialMonteCarloTest.Outcome?
            while outcome == nil {
                path.append(s.uniform() < q)
                outcome = design.outcome(of: path)
            }
            if let o = outcome, try MultipleTesting.adjust([o.pValue, 1, 1], method: .holm, alpha: 0.05).reject[0] { rejected += 1 }
        }
        let direct = Double(rejected) / 4000
        let alone = try #require(power.families.first).alone
        // The mean draws at this effect: its own simulation against the draw-by-draw one.
        var draws = 0
        for r in 0..<4000 {
            var s = RandomStream(seed: 9, path: ["power-draws-check", .index(r)])
            var path: [Bool] = []
            while design.outcome(of: path) == nil { path.append(s.uniform() < q) }
            draws += path.count
        }
        let expected = try #require(power.families.first?.expectedDraws)
        let directDraws = Double(draws) / 4000
        #expect(abs(expected - directDraws) < 0.05 * directDraws, "z = \(z): mean draws \(expected) gap by gap, \(directDraws) draw by draw")
        #expect(try #require(power.families.first?.expectedDrawsUnderNull) < expected || z < 2.5)
        // Two independent estimates of one probability: their difference has sd ≤ sqrt(2 · 0.25 / 4000) = 0.0112.
        #expect(abs(alone - direct) < 4 * 0.0112, "z = \(z): gap by gap \(alone), draw by draw \(direct)")
    }

    @Test func theCostIsMeasuredOnOneModelOfEachFamily() throws {
        let spec = try Self.spec("19", claims: 1)
        let subject = try Audit.subject(for: spec, specDirectory: ".", jobs: 1)
        let cost = try AuditCostEstimate.measure(spec: spec, subject: subject)
        #expect(cost.families.map(\.family) == ["random-init"] && cost.families[0].K == 19 && !cost.families[0].sequential)
        #expect(cost.families[0].secondsPerModel > 0 && cost.trainedSeconds > 0)
        #expect(abs(cost.seconds - (cost.trainedSeconds + 19 * cost.families[0].secondsPerModel)) < 1e-12)
    }
}
