import Foundation
import SalmonAudit
import SalmonStatistics

/// What an audit's result says in words: the verdict rule, the reason for each test's verdict and
/// the one-line outcome of each claim. The audit stores only structured facts
/// (``VerdictBasis``, ``ClaimOutcome/failingTestIDs``); every sentence is composed here, and the
/// Markdown, CSV and JUnit reports and the CLI's summary lines all read it from here.
public enum AuditProse {
    /// The verdict rule, stated in every report.
    /// - Parameter policy: the audit's α, correction, test count and minimum effect.
    public static func verdictRule(_ policy: Policy) -> String {
        "A test is *distinguishable* when its Monte Carlo p-value (1 + b)/(1 + K), adjusted by \(policy.correction.rawValue) "
            + "across all \(policy.testCount) tests of the audit, is at most α = \(policy.alpha) and the trained estimate exceeds the null median by "
            + "at least the minimum effect (\(policy.minimumEffect)) — or falls below it by that much, for a statistic where smaller "
            + "means more structure (the p-value then counts null draws at most as large); this p-value is exact for any K, so the error rate is controlled "
            + "whatever the number of null models. A test that is not distinguishable is *inconclusive* when the decision could "
            + "change with more null models: the adjusted p-value would reach α at the lower end of the 95 % Clopper–Pearson "
            + "interval of its tail probability, or when K is too small for even p = 1/(K + 1) to reach α after correction. "
            + "Otherwise it is a *dead salmon*: no better than its null. A claim at a site holds when it is distinguishable from "
            + "every null family (or, for a claim expected to be null, a dead salmon against every family); with "
            + "requireSignificance: false, when its estimate exceeds every null median by the minimum effect (in the statistic's direction)."
    }

    /// Why a test got its verdict, in one line with its numbers.
    /// - Parameters:
    ///   - test: the test.
    ///   - policy: the audit's policy (α, correction, number of tests, minimum effect).
    public static func reason(_ test: TestResult, policy: Policy) -> String {
        let rule = ruleReason(test, policy: policy)
        guard let sequential = test.sequential else { return rule }
        let n = test.null.values.count
        let larger = test.direction == "smaller" ? "small" : "large"
        let how: String
        switch sequential.stop {
        case .rejection: how = "stopped for rejection after \(n) null draws, none at least as \(larger)"
        case .acceptance: how = "stopped for acceptance at null draw \(n), the \(sequential.design.exceedances)th at least as \(larger)"
        case .maximum: how = "drawn to its maximum of \(n) null draws"
        }
        return rule + "; sequential: " + how
    }

    /// The branch of the verdict rule that decided, in words.
    static func ruleReason(_ test: TestResult, policy: Policy) -> String {
        let padj = number(test.adjustedPValue), alpha = policy.alpha, k = test.null.values.count
        switch test.basis.rule {
        case .significant:
            return "p_adj = \(padj) ≤ α = \(alpha); estimate − null median = \(number(test.effect.difference))"
        case .belowMinimumEffect:
            return "p_adj = \(padj) ≤ α, but the effect \(number(test.effect.difference)) is below the minimum effect \(policy.minimumEffect)"
        case .unreachable:
            let best = test.drawsForSmallestPValue
            return "K = \(best) null draws cannot reach α: even p = 1/(K+1) = \(number(1 / Double(best + 1))) gives p_adj = "
                + "\(number(test.basis.bestAdjustedPValue)) after \(policy.correction.rawValue) over \(policy.testCount) tests"
        case .couldChange:
            return "p_adj = \(padj) > α, but the p-value's 95 % interval reaches \(number(test.pValueInterval.lower)), where it would be "
                + "significant: more null models could change the verdict"
        case .notSignificant:
            return "p_adj = \(padj) > α = \(alpha) (b = \(test.extremeCount) of K = \(k) null draws at least as "
                + "\(test.direction == "smaller" ? "small" : "large"))"
        }
    }

    /// A claim's outcome at a site in one line: the claim, its estimate with interval, and why it
    /// holds or which null families (or baseline intervals) make it fail.
    /// - Parameters:
    ///   - outcome: the claim at one site.
    ///   - result: the audit result holding the claim's tests.
    public static func message(_ outcome: ClaimOutcome, in result: AuditResult) -> String {
        let byID = Dictionary(result.tests.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let mine = outcome.testIDs.compactMap { byID[$0] }
        let expected = outcome.expectation == .distinguishable
            ? "distinguishable from every null" : "a dead salmon against every null (negative control)"
        guard let first = mine.first else { return "\(outcome.claim) at \(outcome.site) has no tests" }
        let ci = first.interval.map { " [\(number($0.lower)), \(number($0.upper))]" } ?? ""
        let head = "\(outcome.claim) at \(outcome.site): \(first.statistic) \(number(first.estimate))\(ci)"
        if outcome.holds { return "\(head) is \(expected)" }
        let failing = outcome.failingTestIDs.compactMap { byID[$0] }
        let parts = failing.map { "against \($0.family) it is \($0.verdict.rawValue) (null median \(number($0.null.median)), p_adj = \(number($0.adjustedPValue)))" }
            + mine.filter { $0.leftBaseline == true }.map {
                "it left its baseline interval [\(number($0.baselineInterval?.lower ?? .nan)), \(number($0.baselineInterval?.upper ?? .nan))] (\($0.family))"
            }
        return "\(head) was expected to be \(expected), but " + parts.joined(separator: "; ")
    }

    /// Numbers in prose (``MessageNumber``).
    static func number(_ x: Double?) -> String { MessageNumber.format(x) }
}
