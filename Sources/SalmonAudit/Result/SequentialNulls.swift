import SalmonStatistics

/// The tests against null families drawn sequentially (``SequentialDrawing``): each test's
/// ``SequentialMonteCarloTest``, run on the family's null draws in index order. One function for
/// the runner (how many null models a family needs before its next possible stop) and for the
/// assembler (where each test stopped), so that a run and a merge of shards read the same draws.
enum SequentialNulls {
    /// The design of a test against `null`, a sequential family: M = ⌊K / models per draw⌋, h as
    /// the spec says (at most M), r as the spec says or the draws at which the correction rejects
    /// a test whatever the others (``AuditPowerPlan``), dropped when not below M.
    static func design(null: NullSpec, modelsPerDraw: Int, spec: AuditSpec, plan: AuditPowerPlan) throws -> SequentialMonteCarloTest {
        guard let drawing = null.sequential else { throw AuditError("\(null.family) is not drawn sequentially") }
        let maxDraws = max(1, null.K / max(1, modelsPerDraw))
        let r = drawing.rejectionDraws ?? plan.tests.first { $0.family == null.family && $0.modelsPerDraw == modelsPerDraw }?.drawsNeeded
        return try SequentialMonteCarloTest(maxDraws: maxDraws, exceedances: min(drawing.exceedances, maxDraws),
                                            rejectionDraws: r.flatMap { $0 < maxDraws && $0 >= 1 ? $0 : nil })
    }

    /// Whether a null draw ties with the estimate: within 1e-12 relative (means of K_t values can
    /// differ from an equal mean in the last bits, by the order of summation). Ties count as extreme.
    static func isTie(_ draw: Double, estimate: Double) -> Bool {
        abs(draw - estimate) <= 1e-12 * max(1, abs(estimate))
    }

    /// Whether each null draw reaches the estimate in the direction of the alternative: a tie, or
    /// beyond it — the rule of the fixed-K test, which counts ties as extreme.
    static func reached(_ draws: [Double], estimate: Double, alternative: Alternative) -> [Bool] {
        draws.map { isTie($0, estimate: estimate) || (alternative == .less ? $0 <= estimate : $0 >= estimate) }
    }

    /// Null draws: means of consecutive groups of `modelsPerDraw` values (the last partial group dropped).
    static func draws(_ raw: [Double], modelsPerDraw: Int) -> [Double] {
        guard modelsPerDraw > 1 else { return raw }
        return stride(from: 0, to: raw.count - modelsPerDraw + 1, by: modelsPerDraw).map { start in
            raw[start..<(start + modelsPerDraw)].reduce(0, +) / Double(modelsPerDraw)
        }
    }

    /// For each sequential family of `spec`, the null models it must have before any of its
    /// running tests could stop; a family whose tests have all stopped is absent.
    /// - Parameters:
    ///   - trained: the trained units' records, in seed order.
    ///   - nullValues: per family and test key, the values of its null models 0, 1, … present.
    static func modelsNeeded(spec: AuditSpec, trained: [UnitRecord], nullValues: [String: [String: [Double]]],
                             modelsPresent: [String: Int]) throws -> [String: Int] {
        let plan = try AuditPowerPlan(spec: spec)
        var needed: [String: Int] = [:]
        for claim in spec.claims {
            guard let direction = claim.declaredStatistic?.direction else { continue }
            for site in AuditPlan.sites(for: claim, in: spec) {
                let key = testKey(claim: claim.name, site: site)
                let (_, values, estimate) = try AuditAssembler.trainedEstimate(claim: claim, key: key, trained: trained)
                for null in spec.nulls where null.sequential != nil && AuditPlan.isTested(claim, at: site, against: null.family, in: spec) {
                    let design = try self.design(null: null, modelsPerDraw: values.count, spec: spec, plan: plan)
                    let draws = self.draws(nullValues[null.family]?[key] ?? [], modelsPerDraw: values.count)
                    let reached = self.reached(draws, estimate: estimate, alternative: direction.alternative)
                    guard design.outcome(of: reached) == nil else { continue }
                    let more = design.drawsUntilPossibleStop(draws: reached.count, extremeCount: reached.filter { $0 }.count)
                    let models = min(null.K, (reached.count + more) * values.count)
                    needed[null.family] = max(needed[null.family] ?? 0, max(models, (modelsPresent[null.family] ?? 0) + 1))
                }
            }
        }
        return needed
    }
}
