import Foundation

/// Which branch of the verdict rule decided a test, with the one number the test itself does not
/// carry: the structured reason behind a ``Verdict``. Reports turn it into prose
/// (`SalmonReports.AuditProse`); the audit composes no sentences.
///
/// The branches, in the order the rule tries them (``AuditAssembler/verdict(_:pValues:adjusted:rejected:pValueInterval:draws:directedDifference:alpha:correction:minimumEffect:)``):
/// - ``Rule/significant``: rejected after correction, and the directed effect reaches the minimum
///   effect — *distinguishable*;
/// - ``Rule/belowMinimumEffect``: rejected, but the directed effect is smaller than the minimum
///   effect — *dead salmon*;
/// - ``Rule/unreachable``: not rejected, and even the smallest attainable p = 1/(K + 1) would not
///   be rejected after correction — *inconclusive* (``bestAdjustedPValue`` is that adjusted value);
/// - ``Rule/couldChange``: not rejected, but the lower end of the p-value's Clopper–Pearson
///   interval would be — *inconclusive*;
/// - ``Rule/notSignificant``: none of the above — *dead salmon*.
public struct VerdictBasis: Sendable, Codable, Equatable {
    /// A branch of the verdict rule.
    public enum Rule: String, Sendable, Codable, CaseIterable {
        case significant, belowMinimumEffect, unreachable, couldChange, notSignificant
    }

    /// The branch that decided.
    public var rule: Rule
    /// For ``Rule/unreachable``: the adjusted p-value the test would have at p = 1/(K + 1); nil otherwise.
    public var bestAdjustedPValue: Double?

    public init(_ rule: Rule, bestAdjustedPValue: Double? = nil) {
        self.rule = rule
        self.bestAdjustedPValue = bestAdjustedPValue
    }
}
