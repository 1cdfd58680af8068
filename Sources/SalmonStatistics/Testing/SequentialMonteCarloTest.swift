import Foundation

/// A Monte Carlo test that draws null values one at a time and stops as soon as its p-value is
/// settled: early for rejection, after `rejectionDraws` draws none of which reached the observed
/// value; early for acceptance, at the draw where `exceedances` (h) draws have reached it (Besag &
/// Clifford's stopping rule); otherwise at `maxDraws` (M).
///
/// The p-value is exact for every outcome, as in Besag & Clifford (1991), "Sequential Monte Carlo
/// p-values", Biometrika 78(2), 301–304, and the generalized truncated designs of Silva &
/// Assunção (2013), "Optimal generalized truncated sequential Monte Carlo test", J. Multivariate
/// Anal. 121, 33–49: under the null hypothesis the observed statistic is exchangeable with the
/// draws, so the tail probability u of the observed value is uniform on (0, 1) and, given u, the
/// indicators "draw ≥ observed" are independent Bernoulli(u). Every path of the design then has a
/// probability in closed form (a Beta integral), the outcomes are ordered from most to least
/// extreme — stopped for rejection; reached M with k < h exceedances, k ascending; stopped for
/// acceptance at draw n, n descending — and the p-value of an outcome is the null probability of
/// an outcome at least as extreme. Hence P(p ≤ p(o)) = p(o) for every attainable value (an exact
/// test), and P(p ≤ α) ≤ α for every α; with ties counted as exceedances the test is conservative.
/// Without the early rejection and with no acceptance before M it is the ordinary `(1 + b)/(1 + M)`.
///
/// Guarantee: the p-value is valid at any α whatever the stopping, so a correction across tests
/// keeps its guarantee (Holm's family-wise error, Benjamini–Hochberg's false discovery rate) as
/// with a fixed number of draws. It is *not* Gandy & Hahn's MMCTest guarantee (decisions equal to
/// those of infinitely many draws with probability ≥ 1 − ε): that needs about ln(1/ε)/α_m draws
/// to settle a rejection at level α_m, several times the fixed-K test's 1/α_m.
public struct SequentialMonteCarloTest: Sendable, Hashable, Codable {
    /// M, the most draws the test takes.
    public let maxDraws: Int
    /// h ≥ 1: the test stops for acceptance when this many draws have reached the observed value.
    public let exceedances: Int
    /// r < M: the test stops for rejection after r draws when none reached the observed value
    /// (its p-value is then 1/(r + 1)); nil for no early rejection.
    public let rejectionDraws: Int?

    /// - Throws: ``StatisticsError`` unless 1 ≤ h, h ≤ M ≤ 10,000,000 and 1 ≤ r < M.
    public init(maxDraws: Int, exceedances: Int, rejectionDraws: Int? = nil) throws {
        guard maxDraws >= 1, maxDraws <= 10_000_000 else { throw StatisticsError("maxDraws", expected: "1 to 10,000,000, found \(maxDraws)") }
        guard exceedances >= 1, exceedances <= maxDraws else {
            throw StatisticsError("exceedances", expected: "1 ≤ h ≤ M = \(maxDraws), found \(exceedances)")
        }
        if let r = rejectionDraws, !(1..<maxDraws).contains(r) {
            throw StatisticsError("rejectionDraws", expected: "1 ≤ r < M = \(maxDraws), found \(r)")
        }
        self.maxDraws = maxDraws
        self.exceedances = exceedances
        self.rejectionDraws = rejectionDraws
    }

    /// Why the test stopped.
    public enum Stop: String, Sendable, Codable, Hashable {
        /// After r draws, none reaching the observed value.
        case rejection
        /// At the draw where h draws had reached the observed value.
        case acceptance
        /// At M draws.
        case maximum
    }

    /// Where the test stopped and its p-value.
    public struct Outcome: Sendable, Hashable, Codable {
        public var stop: Stop
        /// n: the draws the test used.
        public var draws: Int
        /// b: how many of them reached the observed value.
        public var extremeCount: Int
        /// The exact p-value of this outcome.
        public var pValue: Double
    }

    /// Runs the design on a sequence of indicators (draw j reached the observed value).
    /// - Returns: the outcome, or nil when the sequence ends before the design stops.
    public func outcome<C: Collection>(of reached: C) -> Outcome? where C.Element == Bool {
        var b = 0, n = 0
        for x in reached {
            n += 1
            if x { b += 1 }
            if b == exceedances { return Outcome(stop: .acceptance, draws: n, extremeCount: b, pValue: pValue(.acceptance, draws: n, extremeCount: b)) }
            if n == rejectionDraws && b == 0 { return Outcome(stop: .rejection, draws: n, extremeCount: 0, pValue: pValue(.rejection, draws: n, extremeCount: 0)) }
            if n == maxDraws { return Outcome(stop: .maximum, draws: n, extremeCount: b, pValue: pValue(.maximum, draws: n, extremeCount: b)) }
        }
        return nil
    }

    /// The outcome on a simulated path whose draws reach the observed value independently with
    /// probability `q`: the positions of those draws come by geometric gaps, and the design stops
    /// by the rule of ``outcome(of:)`` (O(h) uniforms per path, whatever M; for power and planning).
    public func simulatedOutcome(reachProbability q: Double, stream s: inout RandomStream) -> Outcome {
        var n = 0, b = 0
        func stopped(_ stop: Stop, _ draws: Int) -> Outcome {
            Outcome(stop: stop, draws: draws, extremeCount: b, pValue: pValue(stop, draws: draws, extremeCount: b))
        }
        while true {
            let gap: Int
            if q <= 0 { gap = Int.max / 2 } else if q >= 1 { gap = 1 } else {
                gap = Int(min(1e15, (log(s.uniformPositive()) / log1p(-q)).rounded(.up)))
            }
            let next = n + max(1, gap)   // the draw that reaches it
            // Draws n+1 … next−1 do not reach it: the design may stop among them.
            if b == 0, let r = rejectionDraws, r < next, r > n { return stopped(.rejection, r) }
            if next > maxDraws { return stopped(.maximum, maxDraws) }
            n = next
            b += 1
            if b == exceedances { return stopped(.acceptance, n) }
            if n == maxDraws { return stopped(.maximum, n) }
        }
    }

    /// The fewest further draws after which the design might stop, having used `draws` of which
    /// `extremeCount` reached the observed value (0 when it has stopped already).
    public func drawsUntilPossibleStop(draws n: Int, extremeCount b: Int) -> Int {
        if b >= exceedances || n >= maxDraws || (b == 0 && n == rejectionDraws) { return 0 }
        var next = min(maxDraws, n + (exceedances - b))
        if b == 0, let r = rejectionDraws, r > n { next = min(next, r) }
        return next - n
    }

    /// The exact p-value of an outcome (see the type's discussion).
    public func pValue(_ stop: Stop, draws n: Int, extremeCount b: Int) -> Double {
        let early = rejectionDraws.map { 1 / Double($0 + 1) } ?? 0
        switch stop {
        case .rejection where rejectionDraws != nil:
            return early
        case .rejection, .maximum:
            // (A design without early rejection reaches the maximum instead, with b = 0.)
            var p = early
            for j in 0...max(0, min(stop == .rejection ? 0 : b, exceedances - 1)) { p += maximumProbability(j) }
            return min(1, p)
        case .acceptance:
            var before = 0.0
            if exceedances < n { for m in exceedances..<n { before += acceptanceProbability(at: m) } }
            return min(1, max(0, 1 - before))
        }
    }

    /// P(reach M with exactly k exceedances, not stopped for rejection), 0 ≤ k < h.
    func maximumProbability(_ k: Int) -> Double {
        let all = 1 / Double(maxDraws + 1)
        guard let r = rejectionDraws else { return all }
        // Paths with none of the first r draws extreme and k of the last M − r:
        // C(M − r, k) · k! (M − k)! / (M + 1)!.
        guard k <= maxDraws - r else { return all }
        return max(0, all - Self.exp(Self.logChoose(maxDraws - r, k) + Self.logFactorial(k) + Self.logFactorial(maxDraws - k) - Self.logFactorial(maxDraws + 1)))
    }

    /// P(stop for acceptance at draw n): the h-th exceedance at draw n, not stopped for rejection.
    func acceptanceProbability(at n: Int) -> Double {
        let h = exceedances
        guard n >= h else { return 0 }
        // Besag & Clifford: h / (n (n + 1)).
        let all = Double(h) / (Double(n) * Double(n + 1))
        guard let r = rejectionDraws, n > r, n - 1 - r >= h - 1 else { return all }
        // Less the paths with none of the first r draws extreme: C(n − 1 − r, h − 1) · h! (n − h)! / (n + 1)!.
        let excluded = Self.exp(Self.logChoose(n - 1 - r, h - 1) + Self.logFactorial(h) + Self.logFactorial(n - h) - Self.logFactorial(n + 1))
        return max(0, all - excluded)
    }

    static func logFactorial(_ n: Int) -> Double { lgamma(Double(n) + 1) }
    static func logChoose(_ n: Int, _ k: Int) -> Double { logFactorial(n) - logFactorial(k) - logFactorial(n - k) }
    static func exp(_ x: Double) -> Double { Foundation.exp(x) }
}
