import SalmonStatistics

/// Before any work: the audit's tests, how many null draws each gets from its family's K, and the
/// smallest K at which each could reach α after the spec's correction.
///
/// A Monte Carlo p-value is at least 1/(B + 1) with B null draws, and a test's null draw averages
/// as many null models as trained networks contribute to its estimate (K_t, or K_t − 1 for a
/// statistic anchored on trained network 0), so B = ⌊K / models per draw⌋. Two questions, both put
/// to the correction the audit applies (``MultipleTesting``):
/// - **alone**: with its p-value at 1/(B + 1) and every other test's at 1 — its own evidence has to
///   carry it — is it rejected? For Holm or Bonferroni over m tests that is m/(B + 1) ≤ α, so
///   B ≥ m/α − 1: 60 tests at α = 0.05 need B ≥ 1,199; Benjamini–Hochberg the same.
/// - **at all**: with every test at its smallest p-value — the best case — is it rejected? Holm and
///   Bonferroni ask as much as alone; the step-up procedures (Hochberg, Hommel, Benjamini–Hochberg)
///   only 1/(B + 1) ≤ α (B ≥ 19 at 0.05), since all tests at the minimum are rejected together.
/// A test that cannot reach α at all ends *inconclusive* whatever the networks do (the rule of
/// ``AuditAssembler`` asks it of the observed p-values afterwards); one that can only together
/// with others depends on them.
public struct AuditPowerPlan: Sendable, Equatable {
    public struct Test: Sendable, Equatable {
        public var id: String
        public var claim: String
        public var site: String
        public var family: String
        public var K: Int
        /// Null models averaged per draw.
        public var modelsPerDraw: Int
        /// B = ⌊K / modelsPerDraw⌋.
        public var draws: Int
        /// The smallest draws B, and K = B · modelsPerDraw, at which the test can reach α alone.
        public var drawsNeeded: Int
        public var kNeeded: Int
        /// … and at all (every test at its smallest p-value).
        public var drawsNeededAtAll: Int
        public var kNeededAtAll: Int
        public var canReachAlpha: Bool { draws >= drawsNeededAtAll }
        public var canReachAlphaAlone: Bool { draws >= drawsNeeded }
    }

    public var tests: [Test]
    public var correction: MultipleTestingMethod
    public var alpha: Double

    /// The tests that cannot reach α at the spec's K.
    public var underpowered: [Test] { tests.filter { !$0.canReachAlpha } }

    /// Refuses a spec with a test that cannot reach α at all, naming the first such family's
    /// `nulls[i].K` and the K its tests need, unless the spec says `allowUnderpowered: true`.
    /// - Throws: ``SpecError`` at `nulls[i].K`.
    ///   A sequential family's `rejectionDraws` below the draws at which the correction rejects
    ///   p = 1/(r + 1) whatever the other tests is refused always (an early stop there would not
    ///   be a rejection, and the design's promise is that it is).
    public static func requirePower(_ spec: AuditSpec, file: String) throws {
        let plan = try AuditPowerPlan(spec: spec)
        for (i, null) in spec.nulls.enumerated() {
            guard let r = null.sequential?.rejectionDraws,
                  let needed = plan.tests.filter({ $0.family == null.family }).map(\.drawsNeeded).max(), r < needed else { continue }
            throw SpecError(file: file, field: "nulls[\(i)].K.rejectionDraws",
                            "expected r ≥ \(needed), the null draws from which \(spec.correction.rawValue) rejects p = 1/(r + 1) whatever the other \(plan.tests.count - 1) tests (an earlier stop would not be a rejection), found \(r); leave it out for \(needed)")
        }
        guard !spec.allowUnderpowered else { return }
        for (i, null) in spec.nulls.enumerated() {
            let short = plan.underpowered.filter { $0.family == null.family }
            guard let worst = short.max(by: { $0.kNeededAtAll < $1.kNeededAtAll }) else { continue }
            throw SpecError(file: file, field: "nulls[\(i)].K",
                            "expected at least \(worst.kNeededAtAll) null models, found \(null.K): with \(worst.modelsPerDraw) per draw, \(short.count) of the \(plan.tests.count) tests cannot reach alpha \(spec.alpha) after \(spec.correction.rawValue) even at p = 1/(B + 1) (salmon audit --plan shows them); raise K or set allowUnderpowered: true")
        }
    }

    /// The plan of `spec`.
    /// - Throws: ``StatisticsError`` from the correction (never for a valid spec).
    public init(spec: AuditSpec) throws {
        let trainedSeeds = AuditPlan.trainedSeeds(spec)
        var tests: [Test] = []
        for claim in spec.claims {
            let perDraw = claim.isAnchoredOnTrainedNetworkZero ? max(trainedSeeds - 1, 1) : trainedSeeds
            for site in AuditPlan.sites(for: claim, in: spec) {
                for null in spec.nulls where AuditPlan.isTested(claim, at: site, against: null.family, in: spec) {
                    tests.append(Test(id: AuditPlan.testID(claim: claim.name, site: site, family: null.family), claim: claim.name,
                                      site: site, family: null.family, K: null.K, modelsPerDraw: perDraw, draws: null.K / perDraw,
                                      drawsNeeded: 0, kNeeded: 0, drawsNeededAtAll: 0, kNeededAtAll: 0))
                }
            }
        }
        let needed = try Self.drawsNeeded(tests: tests.count, correction: spec.correction, alpha: spec.alpha)
        let atAll = try Self.drawsNeeded(tests: tests.count, correction: spec.correction, alpha: spec.alpha, othersAtMinimum: true)
        for i in tests.indices {
            tests[i].drawsNeeded = needed
            tests[i].kNeeded = needed * tests[i].modelsPerDraw
            tests[i].drawsNeededAtAll = atAll
            tests[i].kNeededAtAll = atAll * tests[i].modelsPerDraw
        }
        self.tests = tests
        self.correction = spec.correction
        self.alpha = spec.alpha
    }

    /// The smallest B at which one of `tests` tests, at p = 1/(B + 1) with the others at 1 (or, with
    /// `othersAtMinimum`, at 1/(B + 1) too), is rejected by `correction` at `alpha`. Found by
    /// bisection over B ∈ [1, 10⁸] on the correction itself (rejection only grows with B).
    /// - Returns: 0 without tests; 10⁸ + 1 when even B = 10⁸ does not reach α.
    public static func drawsNeeded(tests m: Int, correction: MultipleTestingMethod, alpha: Double,
                                   othersAtMinimum: Bool = false) throws -> Int {
        guard m > 0 else { return 0 }
        func reaches(_ b: Int) throws -> Bool {
            var p = [Double](repeating: othersAtMinimum ? 1 / Double(b + 1) : 1, count: m)
            p[0] = 1 / Double(b + 1)
            return try MultipleTesting.adjust(p, method: correction, alpha: alpha).reject[0]
        }
        let limit = 100_000_000
        guard try reaches(limit) else { return limit + 1 }
        var low = 1, high = limit
        if try reaches(low) { return low }
        // Invariant: reaches(high), !reaches(low).
        while high - low > 1 {
            let mid = low + (high - low) / 2
            if try reaches(mid) { high = mid } else { low = mid }
        }
        return high
    }
}
