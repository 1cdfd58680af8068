import SalmonStatistics

/// The claim "the method is sensitive to the model's parameters", for one method and one measure.
///
/// Compared: the similarity of the trained model's maps to a *fully randomized* model's (the last
/// cascading step: every layer re-initialized) against the similarity of the trained model's maps
/// to *another trained seed's* (the seed-to-seed reference: what "the same model, up to training
/// noise" looks like). A method sensitive to the parameters gives maps that change more under
/// randomization than between two trained seeds.
///
/// - Observed statistic T: the reference similarity, the mean over the K_t − 1 reference seeds of
///   each seed's mean over inputs.
/// - Null draws: the K fully randomized models' similarities (each a mean over inputs).
/// - p-value: Monte Carlo, `(1 + #{null ≥ T}) / (1 + K)` (Phipson & Smyth 2010), alternative
///   `greater` (T above the randomized similarities); under the hypothesis that randomization
///   changes the maps no more than retraining does, T and the null draws are exchangeable.
/// - Adjusted p-value: Holm across every method × measure of the study.
/// - Effect sizes: Δ = mean over inputs of (reference − randomized) per-input similarity, with a
///   bootstrap interval over inputs, and z = (T − mean(null)) / sd(null).
/// - Verdict (``SanityCheckVerdict``): passes when p_adj ≤ α and Δ ≥ the minimum effect.
public struct SensitivityTest: Sendable, Codable, Equatable {
    public var method: String
    public var measure: String
    /// T, the seed-to-seed reference similarity.
    public var reference: Double
    /// The mean of the null draws (fully randomized similarity).
    public var randomized: Double
    /// The Monte Carlo p-value; nil when the statistic was undefined (every input's measure NaN).
    public var test: MonteCarloPValue?
    public var adjustedPValue: Double
    public var difference: Double
    public var differenceInterval: ConfidenceInterval
    public var standardizedDistance: Double
    public var verdict: SanityCheckVerdict
}
