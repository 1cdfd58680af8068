import Testing
@testable import SalmonAudit
import SalmonStatistics
@testable import SalmonReports

/// The identifiability audit's sentences, composed from each claim's structured basis.
@Suite struct IdentifiabilityProseTests {
    typealias Claim = IdentifiabilityAuditResult.ClaimResult

    static func claim(_ statistic: IdentifiabilityStatistic, expect: IdentifiabilityClaimSpec.Expectation? = nil, estimate: Double?,
                      bounds: ConfidenceInterval?, verdict: IdentifiabilityVerdict, basis: IdentifiabilityAuditResult.Basis) -> Claim {
        Claim(claim: "c", width: 3, statistic: statistic, comparison: .atMost, threshold: 0.05, expect: expect, estimate: estimate,
              bounds: bounds, verdict: verdict, holds: verdict == .supported, basis: basis)
    }

    @Test func theRuleStatesItsLevels() {
        let text = IdentifiabilityProse.verdictRule(alpha: 0.05)
        #expect(text.contains("one-sided 95 %") && text.contains("two-sided 90 %") && text.contains("Berger"))
        #expect(text.contains("at least \(IdentifiabilityVerdictRule.minimumBootstrapSeeds) converged seeds"))
        #expect(IdentifiabilityProse.verdictRule(alpha: 0.025).contains("one-sided 97.5 %"))
    }

    @Test func everyBasisReadsAsItsOwnSentence() {
        let counted = Self.claim(.fractionWithMultiplePerfect, expect: .identifiable, estimate: 0.25,
                                 bounds: ConfidenceInterval(lower: 0.1, upper: 0.45, level: 0.9), verdict: .contradicted,
                                 basis: .init(.counted, count: 5, of: 20))
        #expect(IdentifiabilityProse.message(counted, alpha: 0.05)
                == "c at width 3: identifiable at tolerance 0.05 is contradicted: fractionWithMultiplePerfect = 0.25 [0.1, 0.45] "
                + "(one-sided 95 % bounds); 5 of 20 converged networks have more than one perfect circuit")
        let few = Self.claim(.meanBestOverlap, estimate: 0.8, bounds: nil, verdict: .inconclusive, basis: .init(.tooFewSeeds, count: 4))
        #expect(IdentifiabilityProse.message(few, alpha: 0.05)
                == "c at width 3: meanBestOverlap ≤ 0.05 is inconclusive: meanBestOverlap = 0.8; 4 converged seeds with circuits to compare; "
                + "a bootstrap verdict needs at least 10")
        let none = Self.claim(.convergedFraction, estimate: nil, bounds: nil, verdict: .inconclusive, basis: .init(.noneConverged))
        #expect(IdentifiabilityProse.message(none, alpha: 0.05).hasSuffix("convergedFraction = —; no network converged"))
        let degenerate = Self.claim(.meanPerfectCircuits, estimate: 2, bounds: nil, verdict: .inconclusive,
                                    basis: .init(.degenerate, count: 12, diagnostic: "all replicates equal"))
        #expect(IdentifiabilityProse.message(degenerate, alpha: 0.05).hasSuffix("; the bootstrap is degenerate (all replicates equal)"))
        let seeds = Self.claim(.meanResampleOverlap, estimate: 0.9, bounds: ConfidenceInterval(lower: 0.85, upper: 0.95, level: 0.9),
                               verdict: .contradicted, basis: .init(.seeds, count: 12))
        #expect(IdentifiabilityProse.message(seeds, alpha: 0.05).hasSuffix("; 12 seeds with resampled networks to compare"))
    }
}
