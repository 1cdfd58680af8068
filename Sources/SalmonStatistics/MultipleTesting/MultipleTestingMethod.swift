/// A procedure that adjusts p-values for multiple comparisons.
///
/// Raw values are the names of the `salmon adjust --method` option. With m tests and sorted
/// p₍₁₎ ≤ … ≤ p₍m₎, the adjusted values are (all capped at 1):
/// - `bonferroni`: m·p. Controls the family-wise error rate (FWER) under any dependence.
/// - `sidak`: 1 − (1 − p)^m. FWER under independence (or positive orthant dependence).
/// - `holm`: step-down, max_{j≤i} (m − j + 1) p₍j₎ (Holm 1979). FWER under any dependence;
///   uniformly more powerful than Bonferroni.
/// - `holmSidak`: step-down, max_{j≤i} 1 − (1 − p₍j₎)^{m−j+1}. FWER under independence.
/// - `hochberg`: step-up, min_{j≥i} (m − j + 1) p₍j₎ (Hochberg 1988). FWER under independence or
///   positive regression dependence (PRDS).
/// - `hommel`: Hommel (1988), Wright's (1992) adjusted values as statsmodels gives them, computed
///   in O(m log m) through the Simes statistics' lower convex hull (``MultipleTesting``). FWER
///   under PRDS; at least as powerful as Hochberg.
/// - `benjaminiHochberg`: step-up, min_{j≥i} m p₍j₎ / j (Benjamini & Hochberg 1995). Controls the
///   false discovery rate (FDR) under independence or PRDS.
/// - `benjaminiYekutieli`: BH × Σ_{k=1}^{m} 1/k (Benjamini & Yekutieli 2001). FDR under any dependence.
public enum MultipleTestingMethod: String, Sendable, CaseIterable, Codable {
    case bonferroni
    case sidak
    case holm
    case holmSidak = "holm-sidak"
    case hochberg
    case hommel
    case benjaminiHochberg = "bh"
    case benjaminiYekutieli = "by"

    /// What the method controls: `FWER` or `FDR`.
    public var errorRate: String {
        switch self {
        case .benjaminiHochberg, .benjaminiYekutieli: return "FDR"
        default: return "FWER"
        }
    }
}
