/// The alternative hypothesis of a test about a statistic T.
public enum Alternative: String, Sendable, CaseIterable, Codable {
    /// Larger values of T are evidence against the null (more structure than chance).
    case greater
    /// Smaller values of T are evidence against the null.
    case less
    /// Both tails: p = min(1, 2 · min(p_less, p_greater)), scipy's convention.
    case twoSided = "two-sided"
}
