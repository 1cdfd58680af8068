/// The outcome of one sanity-check test.
///
/// - `passes`: the trained model's maps are distinguishable from the randomized ones in the
///   direction the check asks for (Holm-adjusted p ≤ α, and for similarity a drop of at least the
///   minimum effect).
/// - `fails`: they are not — a dead salmon: the maps (or their faithfulness) do not tell the
///   trained model from its randomizations.
/// - `inconclusive`: too few null seeds for any result to reach α after the correction
///   (m / (K + 1) > α for m tests and K seeds), and the effect was large enough to matter.
public enum SanityCheckVerdict: String, Sendable, Codable, CaseIterable {
    case passes
    case fails
    case inconclusive

    /// The verdict of a test with adjusted p-value `adjusted`, `tests` tests in its family and
    /// `nullCount` null draws; `largeEnough` is false when the effect is below the minimum.
    static func decide(adjusted: Double, alpha: Double, tests: Int, nullCount: Int, largeEnough: Bool) -> SanityCheckVerdict {
        guard largeEnough else { return .fails }
        if adjusted <= alpha { return .passes }
        if Double(tests) / Double(nullCount + 1) > alpha { return .inconclusive }
        return .fails
    }
}
