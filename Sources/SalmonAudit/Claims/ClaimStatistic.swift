import SalmonMethods

/// A statistic a claim can be about, as its family declares it: the name, the direction in which
/// it means more structure (which sets the Monte Carlo test's alternative: `greater` or `less`),
/// and whether it is measured against trained network 0.
public struct ClaimStatistic: Sendable, Hashable {
    /// What a statistic's values are measured against.
    public enum Reference: Sendable, Hashable {
        /// Each model's value stands alone (an accuracy, an R²).
        case none
        /// Each value compares a model with trained network 0 (the anchor), which therefore has no
        /// value itself; the null models are all made from it.
        case trainedNetworkZero
    }

    public var name: String
    public var direction: ExplanationStatistic.Direction
    public var reference: Reference
    /// One line for reports and `--help`.
    public var summary: String

    public init(_ name: String, direction: ExplanationStatistic.Direction, reference: Reference = .none, summary: String) {
        self.name = name
        self.direction = direction
        self.reference = reference
        self.summary = summary
    }
}
