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
