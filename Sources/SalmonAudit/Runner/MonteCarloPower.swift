import Foundation
import SalmonStatistics

/// The probability that a test is rejected after the spec's correction at its K, when the trained
/// estimate lies `effect` (z) null standard deviations beyond the null mean of a normal null
/// distribution: each null draw then reaches it with probability q = 1 − Φ(z). A seeded
/// simulation (`seed → "plan" → "power" → family`, `replicates` replicates): b ~ Binomial(B, q) and
/// p = (1 + b)/(1 + B) for a fixed K; the sequential design's path, drawn gap by gap
/// (geometric gaps between draws that reach the estimate), for a sequential family.
///
/// Two figures per family: **alone**, every other test at p = 1 (the least a test can count on),
/// and **together**, every test of the audit at the same effect, drawn independently. A verdict
/// of *distinguishable* also needs the minimum effect (`gate.minimumEffect`), which z > 0 meets
/// when the minimum effect is 0.
public struct MonteCarloPower: Sendable, Equatable {
    public struct Family: Sendable, Equatable {
        public var family: String
        /// The null draws a test has (the maximum for a sequential family).
        public var draws: Int
        public var alone: Double
        public var together: Double
        /// A sequential family: the mean null draws its test uses at this effect, and under the
        /// null (the estimate's tail probability uniform, as when the trained model is one more null
        /// draw); nil for a fixed K (every test uses all its draws).
        public var expectedDraws: Double? = nil
        public var expectedDrawsUnderNull: Double? = nil
    }

    public var effect: Double
    /// q = 1 − Φ(z): the probability that a null draw reaches the estimate.
    public var reachProbability: Double
    public var replicates: Int
    public var families: [Family]

    /// - Throws: ``StatisticsError`` for a non-finite effect or fewer than 1 replicate.
    public static func simulate(spec: AuditSpec, plan: AuditPowerPlan, effect z: Double, replicates: Int = 2000) throws -> MonteCarloPower {
        guard z.isFinite else { throw StatisticsError("effect", expected: "a finite number of null standard deviations, found \(z)") }
        guard replicates >= 1 else { throw StatisticsError("replicates", expected: "at least 1, found \(replicates)") }
        let q = 1 - StandardNormal.cdf(z)
        let m = plan.tests.count
        // One p-value sampler per test: its family's draws and design.
        var designs: [SequentialMonteCarloTest?] = []
        let samplers: [(inout RandomStream) -> Double] = try plan.tests.map { test in
            guard let null = spec.nulls.first(where: { $0.family == test.family }) else { throw StatisticsError("family", expected: "a family of the spec") }
            if null.sequential != nil {
                let design = try SequentialNulls.design(null: null, modelsPerDraw: test.modelsPerDraw, spec: spec, plan: plan)
                designs.append(design)
                return { s in design.simulatedOutcome(reachProbability: q, stream: &s).pValue }
            }
            designs.append(nil)
            let draws = test.draws
            return { s in Double(s.binomial(trials: draws, probability: q) + 1) / Double(draws + 1) }
        }
        var families: [Family] = []
        for null in spec.nulls {
            guard let i = plan.tests.firstIndex(where: { $0.family == null.family }) else { continue }
            var alone = 0, together = 0
            for r in 0..<replicates {
                var s = RandomStream(seed: spec.seed, path: ["plan", "power", .label(null.family), .index(r)])
                var p = [Double](repeating: 1, count: m)
                p[i] = samplers[i](&s)
                if try MultipleTesting.adjust(p, method: spec.correction, alpha: spec.alpha).reject[i] { alone += 1 }
                for j in 0..<m where j != i { p[j] = samplers[j](&s) }
                if try MultipleTesting.adjust(p, method: spec.correction, alpha: spec.alpha).reject[i] { together += 1 }
            }
            var family = Family(family: null.family, draws: plan.tests[i].draws, alone: Double(alone) / Double(replicates),
                                together: Double(together) / Double(replicates))
            if let design = designs[i] {
                var atEffect = 0, underNull = 0
                for r in 0..<replicates {
                    var s = RandomStream(seed: spec.seed, path: ["plan", "power-draws", .label(null.family), .index(r)])
                    atEffect += design.simulatedOutcome(reachProbability: q, stream: &s).draws
                    let u = s.uniform()
                    underNull += design.simulatedOutcome(reachProbability: u, stream: &s).draws
                }
                family.expectedDraws = Double(atEffect) / Double(replicates)
                family.expectedDrawsUnderNull = Double(underNull) / Double(replicates)
            }
            families.append(family)
        }
        return MonteCarloPower(effect: z, reachProbability: q, replicates: replicates, families: families)
    }
}
