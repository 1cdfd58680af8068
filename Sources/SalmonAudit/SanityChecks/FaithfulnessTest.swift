import SalmonStatistics

/// Faithfulness as a second statistic: is the trained model's map a better guide to what the
/// trained model relies on than a randomized model's map?
///
/// For one method and one curve (``FeatureRemovalCurve``, deletion or insertion), always on the
/// *trained* model and its evaluation inputs:
/// - observed: the mean AUC when features are removed (inserted) in the order of the trained
///   model's own map, with a bootstrap interval over inputs;
/// - null draws: the mean AUC in the order of each fully randomized model's map (K seeds);
/// - a reference line: the mean AUC in a uniformly random order per input
///   (`seed → "faithfulness" → "random-order"`, one permutation per input).
/// p-value: Monte Carlo, alternative `less` for deletion (a faithful map's AUC is lower) and
/// `greater` for insertion; Holm across every method × curve; z = (T − mean(null)) / sd(null).
/// Verdict: passes when p_adj ≤ α.
public struct FaithfulnessTest: Sendable, Codable, Equatable {
    public var method: String
    public var kind: FeatureRemovalCurve.Kind
    public var trained: Double
    public var trainedInterval: ConfidenceInterval
    /// The mean of the K null draws, and their 2.5 % and 97.5 % quantiles.
    public var randomized: Double
    public var randomizedQuantiles: [Double]
    public var randomOrder: Double
    public var randomOrderInterval: ConfidenceInterval
    /// The Monte Carlo p-value; nil when the statistic was undefined (every input's measure NaN).
    public var test: MonteCarloPValue?
    public var adjustedPValue: Double
    public var standardizedDistance: Double
    public var verdict: SanityCheckVerdict
    /// Mean curves over inputs (S + 1 points): trained order, randomized orders (averaged over
    /// seeds), random order.
    public var trainedCurve: [Double]
    public var randomizedCurve: [Double]
    public var randomOrderCurve: [Double]
}
