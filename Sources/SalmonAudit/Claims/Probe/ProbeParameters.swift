/// The parameters of the probe family's methods, decoded from a `method:` block.
///
/// Each method takes only its own keys (a `C` on a ridge probe is an error, not silently
/// ignored); every key is encoded, with its default where the method does not take it, so the
/// canonical JSON — and the hash — of every spec written before the families existed is unchanged.
public struct ProbeParameters: MethodParameters, Equatable {
    /// Logistic probe: inverse L2 strength (scikit-learn's C).
    public var C: Double = 1
    /// Ridge probe: L2 strength.
    public var alpha: Double = 1
    /// Cross-validation folds (logistic, ridge and MLP probes).
    public var folds: Int = 5
    /// PCA–label correlation: the number of top components.
    public var components: Int = 5
    /// MLP probe: hidden width.
    public var hidden: Int = 64
    /// MLP probe: training epochs.
    public var epochs: Int = 30
    /// Logistic probe: the L-BFGS convergence tolerance.
    public var tolerance: Double = 1e-4

    enum CodingKeys: String, CodingKey, CaseIterable { case C, alpha, folds, components, hidden, epochs, tolerance }

    public init() {}

    /// The keys `method` takes.
    static func keys(of method: ProbeFamily.Method) -> [CodingKeys] {
        switch method {
        case .logistic: return [.C, .folds, .tolerance]
        case .ridge: return [.alpha, .folds]
        case .mlp: return [.hidden, .epochs, .folds]
        case .pca, .pcaTarget: return [.components]
        }
    }

    init(method: ProbeFamily.Method, from decoder: any Decoder) throws {
        let keys = decoder.readsCanonicalSpec ? CodingKeys.allCases : Self.keys(of: method)
        try decoder.rejectUnknownKeys(["name"] + keys.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        C = try c.decodeIfPresent(Double.self, forKey: .C) ?? C
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? alpha
        folds = try c.decodeIfPresent(Int.self, forKey: .folds) ?? folds
        components = try c.decodeIfPresent(Int.self, forKey: .components) ?? components
        hidden = try c.decodeIfPresent(Int.self, forKey: .hidden) ?? hidden
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? epochs
        tolerance = try c.decodeIfPresent(Double.self, forKey: .tolerance) ?? tolerance
    }

    /// Ranges. `field` is the method block's path.
    func validate(field: String) throws {
        guard C > 0 && C.isFinite else { throw SpecError(field: field + ".C", "expected a positive number, found \(C)") }
        guard alpha > 0 && alpha.isFinite else { throw SpecError(field: field + ".alpha", "expected a positive number, found \(alpha)") }
        guard folds >= 2 && folds <= 1000 else { throw SpecError(field: field + ".folds", "expected 2 … 1000 folds, found \(folds)") }
        guard components >= 1 && components <= 100_000 else { throw SpecError(field: field + ".components", "expected 1 … 100,000, found \(components)") }
        guard hidden >= 1 && hidden <= 100_000 else { throw SpecError(field: field + ".hidden", "expected 1 … 100,000 units, found \(hidden)") }
        guard epochs >= 1 && epochs <= 1_000_000 else { throw SpecError(field: field + ".epochs", "expected 1 … 1,000,000 epochs, found \(epochs)") }
        guard tolerance > 0 && tolerance.isFinite else { throw SpecError(field: field + ".tolerance", "expected a positive number, found \(tolerance)") }
    }
}
